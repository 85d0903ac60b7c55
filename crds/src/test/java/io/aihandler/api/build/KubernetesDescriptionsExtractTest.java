package io.aihandler.api.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed extract of Kubernetes descriptions is what the Kubernetes 1.30 OpenAPI says. */
class KubernetesDescriptionsExtractTest {

  static final Class<?>[] CUSTOM_RESOURCES = {
    ModelBackend.class, RoutingPolicy.class, Workflow.class
  };

  @Test
  void theCommittedExtractIsUpToDate() throws IOException {
    KubernetesSchemas.required();
    Path schemas =
        Manifests.repositoryRoot().resolve(KubernetesSchemas.RELATIVE_LOCATION).normalize();
    Path committed =
        Manifests.repositoryRoot()
            .resolve("crds/src/test/resources" + KubernetesDescriptions.RESOURCE);
    assertThat(Files.readString(committed))
        .as(
            "regenerate it with KubernetesDescriptionsExtract "
                + schemas
                + " "
                + committed
                + " io.aihandler.api.v1alpha1.ModelBackend io.aihandler.api.v1alpha1.RoutingPolicy"
                + " io.aihandler.api.v1alpha1.Workflow")
        .isEqualTo(
            KubernetesDescriptionsExtract.render(
                KubernetesDescriptionsExtract.extract(schemas, CUSTOM_RESOURCES)));
  }

  @Test
  void everyEmbeddedTypeHasADefinition() throws IOException {
    var extract = KubernetesDescriptions.load();
    for (Class<?> customResource : CUSTOM_RESOURCES) {
      for (var embedding : EmbeddedKubernetesTypes.of(customResource)) {
        assertThat(embedding.type().getName()).startsWith(EmbeddedKubernetesTypes.KUBERNETES_MODEL);
      }
    }
    assertThat(EmbeddedKubernetesTypes.of(ModelBackend.class))
        .extracting(EmbeddedKubernetesTypes.Embedding::pointer)
        .contains(
            "/properties/spec/properties/vllm/properties/placement/properties/affinity",
            "/properties/spec/properties/vllm/properties/env/items",
            "/properties/status/properties/conditions/items");
    assertThat(extract).isNotNull();
  }
}
