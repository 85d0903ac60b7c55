package io.aihandler.api.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.build.EmbeddedKubernetesTypes.Embedding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Carries Kubernetes' own field descriptions into the schemas of the types a CRD embeds, so that
 * {@code kubectl explain modelbackend.spec.vllm.placement.affinity...} explains them as it does for
 * a Pod. fabric8's model holds no descriptions; they come from the Kubernetes OpenAPI definitions
 * kept in {@value #RESOURCE} (extracted by {@link KubernetesDescriptionsExtract}). Descriptions
 * this API writes itself are kept; only missing ones are filled.
 */
final class KubernetesDescriptions {

  /** The classpath resource holding the definitions the CRDs embed, with their descriptions. */
  static final String RESOURCE = "/kubernetes-descriptions-v1.30.9.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode definitions;

  KubernetesDescriptions(JsonNode definitions) {
    this.definitions = definitions;
  }

  static KubernetesDescriptions load() {
    try (InputStream in = KubernetesDescriptions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      return new KubernetesDescriptions(JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The OpenAPI definition name of a fabric8 model class, e.g. {@code io.k8s.api.core.v1.EnvVar}.
   */
  static String definitionName(Class<?> type, JsonNode definitions) {
    List<String> candidates = new ArrayList<>();
    definitions
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (name.endsWith("." + type.getSimpleName())
                  && (name.startsWith("io.k8s.api.core.v1.")
                      || name.startsWith("io.k8s.apimachinery.pkg."))) {
                candidates.add(name);
              }
            });
    if (candidates.size() != 1) {
      throw new IllegalStateException(
          "no single Kubernetes definition for " + type.getName() + ": " + candidates);
    }
    return candidates.get(0);
  }

  /** Fills the missing descriptions of every embedding of one CRD's {@code openAPIV3Schema}. */
  void fill(JsonNode openApiSchema, List<Embedding> embeddings) {
    for (Embedding embedding : embeddings) {
      JsonNode node = openApiSchema.at(embedding.pointer());
      if (!(node instanceof ObjectNode schema)) {
        throw new IllegalStateException(
            "the CRD has no schema at " + embedding.pointer() + " for " + embedding.type());
      }
      JsonNode definition = reference(definitionName(embedding.type(), definitions));
      fill(
          schema,
          definition,
          !embedding.schemaPath().getLast().equals("items")
              && !embedding.schemaPath().getLast().equals("additionalProperties"));
    }
  }

  private void fill(ObjectNode schema, JsonNode definition, boolean describeSelf) {
    JsonNode resolved = resolve(definition);
    if (describeSelf) {
      String description =
          definition.path("description").asText(resolved.path("description").asText(""));
      describe(schema, description);
    }
    JsonNode properties = schema.path("properties");
    properties
        .properties()
        .forEach(
            property -> {
              JsonNode upstream = resolved.path("properties").path(property.getKey());
              if (property.getValue() instanceof ObjectNode child) {
                if (upstream.isObject()) {
                  fill(child, upstream, true);
                } else {
                  newerThanOldestRelease(child);
                }
              }
            });
    if (schema.path("items") instanceof ObjectNode items && resolved.path("items").isObject()) {
      fill(items, resolved.get("items"), false);
    }
    if (schema.path("additionalProperties") instanceof ObjectNode values
        && resolved.path("additionalProperties").isObject()) {
      fill(values, resolved.get("additionalProperties"), false);
    }
  }

  /**
   * fabric8's model follows a newer Kubernetes than the oldest release the operator supports, so a
   * few fields have no 1.30 description. Say so: a 1.30 API server drops them from the pods.
   */
  private static void newerThanOldestRelease(ObjectNode schema) {
    describe(schema, NEWER_FIELD);
    schema.path("properties").forEach(child -> newerThanOldestRelease((ObjectNode) child));
    if (schema.path("items") instanceof ObjectNode items) {
      items.path("properties").forEach(child -> newerThanOldestRelease((ObjectNode) child));
    }
  }

  static final String NEWER_FIELD =
      "A field of a Kubernetes release newer than 1.30, the oldest this operator supports: it is"
          + " passed on as given, and an API server that does not know it drops it. See the API"
          + " reference of your cluster's release.";

  /** Sets the description when the schema has none, keeping the keys in alphabetical order. */
  private static void describe(ObjectNode schema, String description) {
    if (description.isBlank() || !schema.path("description").asText("").isBlank()) {
      return;
    }
    Map<String, JsonNode> sorted = new TreeMap<>();
    schema.properties().forEach(field -> sorted.put(field.getKey(), field.getValue()));
    sorted.put("description", schema.textNode(description));
    schema.removeAll();
    schema.setAll(sorted);
  }

  private JsonNode reference(String name) {
    return JSON.createObjectNode().put("$ref", "#/definitions/" + name);
  }

  private JsonNode resolve(JsonNode schema) {
    JsonNode current = schema;
    for (int depth = 0; current.has("$ref") && depth < 8; depth++) {
      String name = current.get("$ref").asText().substring("#/definitions/".length());
      current = definitions.path(name);
    }
    return current;
  }
}
