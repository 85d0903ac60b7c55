package io.aihandler.api.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.build.EmbeddedKubernetesTypes.Embedding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Extracts from the Kubernetes OpenAPI definitions (the strict per-kind JSON schemas of {@code
 * ../shared/k8s-schemas/v1.30.9-strict}) the definitions the CRDs embed, reduced to their
 * descriptions and structure, into the file {@link KubernetesDescriptions} reads at build time. The
 * build reads the committed extract, so it does not need the schemas beside the repository; {@code
 * KubernetesDescriptionsExtractTest} fails when the extract is not what this produces.
 *
 * <p>Usage: {@code KubernetesDescriptionsExtract <schema dir> <output file> <CR class>...}.
 */
public final class KubernetesDescriptionsExtract {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private KubernetesDescriptionsExtract() {}

  public static void main(String[] args) throws IOException, ClassNotFoundException {
    Class<?>[] customResources = new Class<?>[args.length - 2];
    for (int i = 2; i < args.length; i++) {
      customResources[i - 2] = Class.forName(args[i]);
    }
    Files.writeString(Path.of(args[1]), render(extract(Path.of(args[0]), customResources)));
  }

  /** The extract as committed: sorted, indented JSON with a final newline. */
  static String render(JsonNode extract) throws IOException {
    return JSON.writeValueAsString(extract) + "\n";
  }

  /** The reduced definitions reachable from the Kubernetes types the custom resources embed. */
  static ObjectNode extract(Path schemaDirectory, Class<?>... customResources) throws IOException {
    JsonNode all = allDefinitions(schemaDirectory);
    Deque<String> pending = new ArrayDeque<>();
    for (Class<?> customResource : customResources) {
      for (Embedding embedding : EmbeddedKubernetesTypes.of(customResource)) {
        pending.add(KubernetesDescriptions.definitionName(embedding.type(), all));
      }
    }
    Map<String, JsonNode> kept = new TreeMap<>();
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (!kept.containsKey(name)) {
        JsonNode reduced = reduce(all.path(name), pending);
        kept.put(name, reduced);
      }
    }
    ObjectNode extract = JSON.createObjectNode();
    kept.forEach(extract::set);
    return extract;
  }

  private static JsonNode allDefinitions(Path directory) throws IOException {
    ObjectNode definitions = JSON.createObjectNode();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JSON.readTree(file.toFile())
            .path("definitions")
            .properties()
            .forEach(definition -> definitions.set(definition.getKey(), definition.getValue()));
      }
    }
    return definitions;
  }

  /** Only what descriptions need: description, $ref, properties, items, additionalProperties. */
  private static JsonNode reduce(JsonNode schema, Deque<String> references) {
    Map<String, JsonNode> kept = new TreeMap<>();
    if (schema.hasNonNull("description")) {
      kept.put("description", schema.get("description"));
    }
    if (schema.hasNonNull("$ref")) {
      kept.put("$ref", schema.get("$ref"));
      references.add(schema.get("$ref").asText().substring("#/definitions/".length()));
    }
    if (schema.path("properties").isObject()) {
      Map<String, JsonNode> properties = new TreeMap<>();
      schema
          .get("properties")
          .properties()
          .forEach(
              property ->
                  properties.put(property.getKey(), reduce(property.getValue(), references)));
      kept.put("properties", JSON.valueToTree(properties));
    }
    for (String nested : List.of("items", "additionalProperties")) {
      if (schema.path(nested).isObject()) {
        kept.put(nested, reduce(schema.get(nested), references));
      }
    }
    return JSON.valueToTree(kept);
  }
}
