package io.aihandler.api.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Build step run right after fabric8's CRD generator: puts the printer columns back in the order
 * they are declared on the custom resource class. fabric8 7.9 keys them by jsonPath in a TreeMap,
 * which would make {@code kubectl get} print AGE first and READY after REASON.
 *
 * <p>Usage: {@code CrdPrinterColumnOrder <dir with *-v1.yml> <Java package of the CR classes>}.
 */
public final class CrdPrinterColumnOrder {

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
      "# Generated from the Java types in crds/src/main/java by fabric8's CRD generator"
          + " (printer columns in declared order).\n"
          + "# Do not edit: change the types, then run ./mvnw -Pupdate-crds -pl crds"
          + " process-test-classes\n";

  private CrdPrinterColumnOrder() {}

  public static void main(String[] args) throws IOException, ClassNotFoundException {
    Path dir = Path.of(args[0]);
    String crPackage = args[1];
    List<Path> crds;
    try (Stream<Path> files = Files.list(dir)) {
      crds = files.filter(p -> p.getFileName().toString().endsWith("-v1.yml")).sorted().toList();
    }
    for (Path crd : crds) {
      ObjectNode root = (ObjectNode) YAML.readTree(crd.toFile());
      String kind = root.at("/spec/names/kind").asText();
      Class<?> type = Class.forName(crPackage + "." + kind);
      for (JsonNode version : root.at("/spec/versions")) {
        order((ArrayNode) version.get("additionalPrinterColumns"), declaredNames(type));
      }
      Files.writeString(crd, HEADER + YAML.writeValueAsString(root));
    }
  }

  static List<String> declaredNames(Class<?> type) {
    return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
  }

  static void order(ArrayNode columns, List<String> declared) {
    if (columns == null) {
      return;
    }
    List<JsonNode> sorted = new ArrayList<>();
    columns.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(column -> positionOf(declared, column)));
    columns.removeAll();
    columns.addAll(sorted);
  }

  private static int positionOf(List<String> declared, JsonNode column) {
    int index = declared.indexOf(column.path("name").asText());
    return index < 0 ? Integer.MAX_VALUE : index;
  }
}
