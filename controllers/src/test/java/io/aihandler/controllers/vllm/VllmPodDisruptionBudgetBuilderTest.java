package io.aihandler.controllers.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.controllers.testing.ModelBackends;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

class VllmPodDisruptionBudgetBuilderTest {

  private static VllmBackend withReplicas(String vllm) {
    return VllmBackend.of(
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: m, namespace: models}
            spec: {vllm: %s}
            """
                .formatted(vllm)));
  }

  @Test
  void autoscaledBackendThatMayGrowGetsABudgetOfOneUnavailablePod() {
    VllmBackend backend = VllmBackend.of(VllmBackendExamples.llama70b());
    PodDisruptionBudget budget = VllmPodDisruptionBudgetBuilder.build(backend).orElseThrow();

    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(backend.selectorLabels());
    assertThat(budget.getMetadata().getOwnerReferences()).hasSize(1);
  }

  @Test
  void onlyWhenMoreThanOneReplicaMayRun() {
    assertThat(VllmPodDisruptionBudgetBuilder.build(withReplicas("{model: 'hf://o/m'}"))).isEmpty();
    assertThat(
            VllmPodDisruptionBudgetBuilder.build(withReplicas("{model: 'hf://o/m', replicas: 1}")))
        .isEmpty();
    assertThat(
            VllmPodDisruptionBudgetBuilder.build(withReplicas("{model: 'hf://o/m', replicas: 2}")))
        .isPresent();
    assertThat(
            VllmPodDisruptionBudgetBuilder.build(
                withReplicas(
                    "{model: 'hf://o/m', scaling: {minReplicas: 1, maxReplicas: 1, target: 4}}")))
        .isEmpty();
    assertThat(
            VllmPodDisruptionBudgetBuilder.build(
                withReplicas("{model: 'hf://o/m', scaling: {maxReplicas: 3, target: 4}}")))
        .isPresent();
  }

  @Test
  void validatesAgainstTheStrictKubernetesSchema() {
    KubernetesSchemas schemas = KubernetesSchemas.required();
    assertThat(
            schemas.validate(
                VllmPodDisruptionBudgetBuilder.build(VllmBackend.of(VllmBackendExamples.llama70b()))
                    .orElseThrow()))
        .isEmpty();
  }
}
