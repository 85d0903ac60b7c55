package io.aihandler.api.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.aihandler.api.build.EmbeddedKubernetesTypes.Embedding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Build step run right after fabric8's CRD generator, for what its annotations cannot say: the
 * printer columns in declared order ({@link CrdPrinterColumnOrder}), condition lists keyed by type
 * ({@link ConditionLists}) and Kubernetes' own descriptions of the embedded Kubernetes types
 * ({@link KubernetesDescriptions}).
 *
 * <p>Usage: {@code CrdPostProcessor <dir with *-v1.yml> <Java package of the CR classes>}.
 */
public final class CrdPostProcessor {

  private static final YAMLMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .build())
          .build();

  static final String HEADER =
      "# Generated from the Java types in crds/src/main/java by fabric8's CRD generator, then"
          + " io.aihandler.api.build.CrdPostProcessor.\n"
          + "# Do not edit: change the types, then run ./mvnw -Pupdate-crds -pl crds"
          + " process-test-classes\n";

  private CrdPostProcessor() {}

  public static void main(String[] args) throws IOException, ClassNotFoundException {
    Path dir = Path.of(args[0]);
    String crPackage = args[1];
    KubernetesDescriptions descriptions = KubernetesDescriptions.load();
    List<Path> crds;
    try (Stream<Path> files = Files.list(dir)) {
      crds = files.filter(p -> p.getFileName().toString().endsWith("-v1.yml")).sorted().toList();
    }
    for (Path crd : crds) {
      ObjectNode root = (ObjectNode) YAML.readTree(crd.toFile());
      Class<?> type = Class.forName(crPackage + "." + root.at("/spec/names/kind").asText());
      List<Embedding> embeddings = EmbeddedKubernetesTypes.of(type);
      for (JsonNode version : root.at("/spec/versions")) {
        CrdPrinterColumnOrder.order(
            (ArrayNode) version.get("additionalPrinterColumns"),
            CrdPrinterColumnOrder.declaredNames(type));
        JsonNode schema = version.at("/schema/openAPIV3Schema");
        ConditionLists.keyByType(schema, embeddings);
        descriptions.fill(schema, embeddings);
      }
      Files.writeString(crd, HEADER + YAML.writeValueAsString(root));
    }
  }
}
