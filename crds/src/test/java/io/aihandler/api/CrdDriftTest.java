package io.aihandler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs users install (committed under crds/manifests and the Helm chart) must be exactly what
 * the build generates from the Java types; otherwise a type change would ship without its CRD.
 */
class CrdDriftTest {

  private static final String FIX =
      "committed CRDs differ from the Java types; regenerate them with"
          + " ./mvnw -Pupdate-crds -pl crds process-test-classes and commit the result";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"crds/manifests", "charts/aihandler/crds"})
  void committedCrdsMatchTheGeneratedOnes(String committedFolder) throws IOException {
    Path root = Manifests.repositoryRoot();
    Path generated = root.resolve("crds/target/classes/META-INF/fabric8");
    Path committed = root.resolve(committedFolder);

    List<String> generatedFiles = crdFiles(generated);
    assertThat(generatedFiles)
        .as("the build generates one CRD per kind")
        .containsExactly(
            "modelbackends.aihandler.io-v1.yml",
            "routingpolicies.aihandler.io-v1.yml",
            "workflows.aihandler.io-v1.yml");
    assertThat(crdFiles(committed)).as(FIX).isEqualTo(generatedFiles);
    for (String file : generatedFiles) {
      assertThat(Files.readString(committed.resolve(file)))
          .as(FIX + " (" + committedFolder + "/" + file + ")")
          .isEqualTo(Files.readString(generated.resolve(file)));
    }
  }

  private static List<String> crdFiles(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith("-v1.yml"))
          .sorted()
          .toList();
    }
  }
}
