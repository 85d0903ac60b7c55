package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Workflow;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The NetworkPolicy of a Workflow with {@code spec.egress: restricted}. */
class WorkflowEgressPolicyBuilderTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private static final Workflow WORKFLOW =
      YAML.unmarshal(
          """
      apiVersion: aihandler.io/v1alpha1
      kind: Workflow
      metadata: {name: support-tickets, namespace: support, uid: 6f1f0a8e-0000-4000-8000-000000000001}
      spec: {policyRef: {name: p}, tasks: [{name: t, route: r}], egress: restricted}
      """,
          Workflow.class);

  private static ModelBackend vllm(String namespace, String name) {
    return YAML.unmarshal(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: %s, namespace: %s}
        spec: {vllm: {model: "hf://org/model"}}
        """
            .formatted(name, namespace),
        ModelBackend.class);
  }

  private final NetworkPolicy policy =
      WorkflowEgressPolicyBuilder.build(
          WORKFLOW,
          List.of(
              vllm("llm-platform", "llama"),
              vllm("support", "qwen"),
              vllm("llm-platform", "llama")));

  @Test
  void selectsTheWorkflowsPodsAndRestrictsOnlyTheirEgress() {
    assertThat(policy.getMetadata().getName()).isEqualTo("support-tickets-egress");
    assertThat(policy.getMetadata().getNamespace()).isEqualTo("support");
    assertThat(policy.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Workflow");
              assertThat(owner.getController()).isTrue();
            });
    assertThat(policy.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "aihandler-operator")
        .containsEntry("app.kubernetes.io/component", "workflow-egress");
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("aihandler.io/workflow", "support-tickets"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
    assertThat(policy.getSpec().getIngress()).isNullOrEmpty();
  }

  @Test
  void allowsDnsAndEachInClusterBackendsPodsOnVllmsPortAndNothingElse() {
    List<NetworkPolicyEgressRule> rules = policy.getSpec().getEgress();
    assertThat(rules).hasSize(3);
    NetworkPolicyEgressRule dns = rules.get(0);
    assertThat(dns.getTo())
        .singleElement()
        .satisfies(
            peer -> {
              assertThat(peer.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
              assertThat(peer.getPodSelector().getMatchLabels())
                  .isEqualTo(Map.of("k8s-app", "kube-dns"));
              assertThat(peer.getIpBlock()).isNull();
            });
    assertThat(dns.getPorts())
        .extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .containsExactly("UDP/53", "TCP/53");

    // One rule per backend, sorted, duplicates merged; no ipBlock anywhere, so nothing outside the
    // cluster.
    assertThat(rules.subList(1, 3))
        .extracting(
            rule ->
                rule.getTo()
                        .getFirst()
                        .getNamespaceSelector()
                        .getMatchLabels()
                        .get("kubernetes.io/metadata.name")
                    + "/"
                    + rule.getTo()
                        .getFirst()
                        .getPodSelector()
                        .getMatchLabels()
                        .get("aihandler.io/model-backend"))
        .containsExactly("llm-platform/llama", "support/qwen");
    assertThat(rules.subList(1, 3))
        .allSatisfy(
            rule -> {
              assertThat(rule.getPorts())
                  .extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
                  .containsExactly("TCP/8000");
              assertThat(rule.getTo()).allSatisfy(peer -> assertThat(peer.getIpBlock()).isNull());
            });
  }

  @Test
  void withoutInClusterBackendsOnlyDnsIsAllowed() {
    assertThat(WorkflowEgressPolicyBuilder.build(WORKFLOW, List.of()).getSpec().getEgress())
        .hasSize(1);
  }

  @Test
  void validatesAgainstTheStrictKubernetesSchema() {
    assertThat(KubernetesSchemas.required().validate(policy)).isEmpty();
    assertThat(KubernetesSchemas.required().validate(withOperator())).isEmpty();
  }

  private static final OperatorActivation OPERATOR =
      new OperatorActivation(() -> null, "aihandler-system", 9443);

  private static NetworkPolicy withOperator() {
    return WorkflowEgressPolicyBuilder.build(
        WORKFLOW, List.of(vllm("llm-platform", "llama")), OPERATOR);
  }

  @Test
  void withInClusterBackendsTheSidecarMayReachTheOperatorToWakeThem() {
    List<NetworkPolicyEgressRule> rules = withOperator().getSpec().getEgress();

    assertThat(rules).hasSize(3);
    NetworkPolicyEgressRule operator = rules.get(1);
    assertThat(operator.getTo()).hasSize(1);
    assertThat(operator.getTo().get(0).getNamespaceSelector().getMatchLabels())
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "aihandler-system"));
    assertThat(operator.getTo().get(0).getIpBlock()).isNull();
    assertThat(operator.getPorts())
        .extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
        .containsExactly("TCP/9443");
  }

  @Test
  void withoutInClusterBackendsThereIsNothingToWakeAndNoOperatorRule() {
    assertThat(
            WorkflowEgressPolicyBuilder.build(WORKFLOW, List.of(), OPERATOR).getSpec().getEgress())
        .hasSize(1);
  }
}
