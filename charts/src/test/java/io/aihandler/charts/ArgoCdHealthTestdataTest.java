package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.CrdAdmission;
import io.aihandler.api.testing.Manifests;
import io.aihandler.charts.ArgoHealthScript.Health;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each kind's {@code health_test.yaml} as Argo CD's own test of {@code
 * resource_customizations} does (every case: the script's status and message must equal the
 * expected ones exactly), so the scripts can be upstreamed with their tests as they are. Each input
 * is also a resource the API server would store, judged by the CRD, so the cases describe states
 * that can exist.
 */
class ArgoCdHealthTestdataTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ModelBackend", "RoutingPolicy", "Workflow"})
  void everyCaseOfHealthTestYamlHolds(String kind) throws IOException {
    Path directory = ArgoHealthScript.directory().resolve(kind);
    List<JsonNode> documents = Manifests.read(directory.resolve("health_test.yaml"));
    assertThat(documents).hasSize(1);
    JsonNode tests = documents.getFirst().path("tests");
    assertThat(tests.size()).as("cases of %s", kind).isGreaterThanOrEqualTo(4);

    ArgoHealthScript script = ArgoHealthScript.of(kind);
    CrdAdmission admission = CrdAdmission.load(Manifests.generatedCrd(plural(kind)));
    List<String> statuses = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    for (JsonNode test : tests) {
      String inputPath = test.path("inputPath").asText();
      inputs.add(inputPath);
      Path input = directory.resolve(inputPath).normalize();
      assertThat(input)
          .as("inputPath of a case")
          .startsWith(directory.resolve("testdata"))
          .isRegularFile();
      JsonNode resource = Manifests.read(input).getFirst();
      assertThat(admission.admit(resource)).as("%s is a valid %s", inputPath, kind).isEmpty();

      Health expected =
          new Health(
              test.at("/healthStatus/status").asText(), test.at("/healthStatus/message").asText());
      assertThat(script.assess(resource)).as(inputPath).isEqualTo(expected);
      // Argo CD names test data after the status they produce: degraded_..., healthy_...
      assertThat(input.getFileName().toString())
          .startsWith(expected.status().toLowerCase(Locale.ROOT) + "_");
      statuses.add(expected.status());
    }
    assertThat(statuses).contains("Healthy", "Progressing", "Degraded");
    try (Stream<Path> files = Files.list(directory.resolve("testdata"))) {
      assertThat(files.map(file -> "testdata/" + file.getFileName()).sorted().toList())
          .as("every file under testdata is a case")
          .containsExactlyInAnyOrderElementsOf(inputs);
    }
  }

  private static String plural(String kind) {
    return switch (kind) {
      case "ModelBackend" -> "modelbackends";
      case "RoutingPolicy" -> "routingpolicies";
      default -> "workflows";
    };
  }
}
