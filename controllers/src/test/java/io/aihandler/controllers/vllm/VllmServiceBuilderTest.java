package io.aihandler.controllers.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.KubernetesSchemas;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

class VllmServiceBuilderTest {

  @Test
  void exposesPort8000OfTheBackendsPodsOnly() {
    VllmBackend backend = VllmBackend.of(VllmBackendExamples.llama70b());
    Service service = VllmServiceBuilder.build(backend);

    assertThat(service.getMetadata().getName()).isEqualTo("llama-70b");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getPort()).isEqualTo(8000);
              assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
            });
    assertThat(service.getSpec().getSelector()).isEqualTo(backend.selectorLabels());
    assertThat(service.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> assertThat(ref.getUid()).isEqualTo(backend.owner().getMetadata().getUid()));
    assertThat(backend.endpoint()).isEqualTo("http://llama-70b.models.svc:8000/v1");
  }

  @Test
  void validatesAgainstTheStrictKubernetesSchema() {
    KubernetesSchemas schemas = KubernetesSchemas.required();
    assertThat(
            schemas.validate(
                VllmServiceBuilder.build(VllmBackend.of(VllmBackendExamples.minimal()))))
        .isEmpty();
  }
}
