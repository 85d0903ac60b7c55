package io.aihandler.controllers.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.controllers.testing.ModelBackends;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class ModelCacheClaimBuilderTest {

  @Test
  void aSizedCacheBecomesAnOwnedClaimWithTheGivenClassAndModes() {
    VllmBackend backend = VllmBackend.of(VllmBackendExamples.llama70b());
    PersistentVolumeClaim claim = ModelCacheClaimBuilder.build(backend).orElseThrow();

    assertThat(claim.getMetadata().getName()).isEqualTo("llama-70b-model-cache");
    assertThat(claim.getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("300Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-rwx");
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(claim.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getName()).isEqualTo("llama-70b"));
  }

  @Test
  void accessModeDefaultsToReadWriteOnce() {
    var backend =
        VllmBackend.of(
            ModelBackends.fromYaml(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: ModelBackend
                metadata: {name: small, namespace: models}
                spec: {vllm: {model: "hf://org/m", cache: {size: 50Gi}}}
                """));
    PersistentVolumeClaim claim = ModelCacheClaimBuilder.build(backend).orElseThrow();
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getStorageClassName()).isNull();
  }

  @Test
  void noClaimWithoutACacheOrWithAnExistingOne() {
    assertThat(ModelCacheClaimBuilder.build(VllmBackend.of(VllmBackendExamples.minimal())))
        .isEmpty();
    var existing =
        VllmBackend.of(
            ModelBackends.fromYaml(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: ModelBackend
                metadata: {name: reuse, namespace: models}
                spec: {vllm: {model: "hf://org/m", cache: {existingClaim: team-cache}}}
                """));
    assertThat(ModelCacheClaimBuilder.build(existing)).isEmpty();
  }

  @Test
  void validatesAgainstTheStrictKubernetesSchema() {
    KubernetesSchemas schemas = KubernetesSchemas.required();
    assertThat(
            schemas.validate(
                ModelCacheClaimBuilder.build(VllmBackend.of(VllmBackendExamples.llama70b()))
                    .orElseThrow()))
        .isEmpty();
  }
}
