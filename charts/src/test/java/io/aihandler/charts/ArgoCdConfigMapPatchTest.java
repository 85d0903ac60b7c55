package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ready-to-apply argocd-cm patch carries exactly the three scripts, under the keys Argo CD
 * looks up ({@code resource.customizations.health.<group>_<kind>}), and the scripts cover every
 * kind of the API.
 */
class ArgoCdConfigMapPatchTest {

  private static final List<String> KINDS = List.of("ModelBackend", "RoutingPolicy", "Workflow");

  @Test
  void patchHoldsEachScriptVerbatim() throws IOException {
    Path patch = Manifests.repositoryRoot().resolve("charts/argocd/argocd-cm-patch.yaml");
    List<JsonNode> documents = Manifests.read(patch);
    assertThat(documents).hasSize(1);
    JsonNode data = documents.getFirst().path("data");
    List<String> keys = new ArrayList<>();
    data.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            KINDS.stream()
                .map(kind -> "resource.customizations.health.aihandler.io_" + kind)
                .toArray(String[]::new));
    for (String kind : KINDS) {
      String script = Files.readString(ArgoHealthScript.file(kind));
      assertThat(data.path("resource.customizations.health.aihandler.io_" + kind).asText())
          .as("argocd-cm-patch.yaml entry of %s equals %s", kind, ArgoHealthScript.file(kind))
          .isEqualTo(script);
    }
  }

  @Test
  void everyCustomResourceKindHasAHealthCheck() throws IOException {
    List<String> crdKinds = new ArrayList<>();
    try (Stream<Path> files =
        Files.list(Manifests.repositoryRoot().resolve("charts/aihandler/crds"))) {
      for (Path file : files.sorted().toList()) {
        for (JsonNode crd : Manifests.read(file)) {
          assertThat(crd.path("spec").path("group").asText()).isEqualTo("aihandler.io");
          crdKinds.add(crd.path("spec").path("names").path("kind").asText());
        }
      }
    }
    assertThat(crdKinds).containsExactlyInAnyOrderElementsOf(KINDS);
    for (String kind : KINDS) {
      assertThat(ArgoHealthScript.file(kind)).isRegularFile();
    }
  }
}
