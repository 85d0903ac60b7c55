package io.aihandler.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the API server does with a custom resource at {@code kubectl apply}, for the parts that
 * decide whether it is accepted: defaulting from the schema, OpenAPI validation with unknown fields
 * refused (kubectl's default {@code --validate=strict}), and the CEL rules in {@code
 * x-kubernetes-validations}. It reads the generated CRD YAML, so it tests what users install.
 */
public final class CrdAdmission {

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final CelRuleEvaluator CEL = new CelRuleEvaluator();

  private final String apiVersion;
  private final String kind;
  private final JsonNode openApiSchema;
  private final Schema validator;

  private CrdAdmission(JsonNode crd) {
    JsonNode version = crd.at("/spec/versions/0");
    this.apiVersion = crd.at("/spec/group").asText() + "/" + version.path("name").asText();
    this.kind = crd.at("/spec/names/kind").asText();
    this.openApiSchema = version.at("/schema/openAPIV3Schema");
    JsonNode strict = strict(withImplicitRootFields(openApiSchema.deepCopy()));
    // CRD schemas are OpenAPI v3 structural schemas; draft 4 has the same keyword semantics
    // (boolean exclusiveMinimum) and ignores the x-kubernetes-* extensions.
    this.validator =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(strict);
  }

  /** Reads a generated CRD file. */
  public static CrdAdmission load(Path crdYaml) {
    try {
      return new CrdAdmission(YAML.readTree(crdYaml.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String apiVersion() {
    return apiVersion;
  }

  public String kind() {
    return kind;
  }

  /** The object as the API server would store it: with the schema's defaults filled in. */
  public JsonNode defaulted(JsonNode object) {
    JsonNode copy = object.deepCopy();
    applyDefaults(copy, openApiSchema);
    return copy;
  }

  /**
   * Admits an object. Returns the errors the API server would answer with, each prefixed by the
   * path of the offending field; empty when the object would be accepted.
   */
  public List<String> admit(JsonNode object) {
    List<String> errors = new ArrayList<>();
    if (!apiVersion.equals(object.path("apiVersion").asText())
        || !kind.equals(object.path("kind").asText())) {
      errors.add("not a " + apiVersion + " " + kind);
      return errors;
    }
    if (object.at("/metadata/name").asText("").isEmpty()) {
      errors.add("metadata.name: Required value");
    }
    JsonNode defaulted = defaulted(object);
    validator.validate(defaulted).forEach(error -> errors.add(error.toString()));
    duplicateListMapKeys(defaulted, openApiSchema, "", errors);
    if (errors.isEmpty()) {
      // The API server skips CEL rules of values that fail schema validation; so do we.
      evaluateRules(defaulted, openApiSchema, "", errors);
    }
    return errors;
  }

  private static void evaluateRules(
      JsonNode value, JsonNode schema, String path, List<String> errors) {
    if (value == null || value.isMissingNode() || value.isNull() || schema == null) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      Object self = CelValues.of(value, schema);
      Object result = CEL.evaluate(rule.path("rule").asText(), self);
      if (!Boolean.TRUE.equals(result)) {
        String message =
            rule.has("messageExpression")
                ? String.valueOf(CEL.evaluate(rule.path("messageExpression").asText(), self))
                : rule.path("message").asText("failed rule: " + rule.path("rule").asText());
        errors.add((path.isEmpty() ? "<root>" : path) + ": Invalid value: " + message);
      }
    }
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      value
          .properties()
          .forEach(
              field -> {
                JsonNode child =
                    properties.has(field.getKey())
                        ? properties.get(field.getKey())
                        : schema.path("additionalProperties").isObject()
                            ? schema.get("additionalProperties")
                            : null;
                evaluateRules(field.getValue(), child, join(path, field.getKey()), errors);
              });
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        evaluateRules(value.get(i), schema.path("items"), path + "[" + i + "]", errors);
      }
    }
  }

  /**
   * The API server refuses two items of an {@code x-kubernetes-list-type: map} list with the same
   * values of the {@code x-kubernetes-list-map-keys}, e.g. two conditions of type Ready.
   */
  private static void duplicateListMapKeys(
      JsonNode value, JsonNode schema, String path, List<String> errors) {
    if (value == null || schema == null || schema.isMissingNode()) {
      return;
    }
    if (value.isArray()) {
      if ("map".equals(schema.path("x-kubernetes-list-type").asText())) {
        java.util.Set<List<String>> seen = new java.util.HashSet<>();
        for (int i = 0; i < value.size(); i++) {
          List<String> key = new ArrayList<>();
          JsonNode item = value.get(i);
          schema
              .path("x-kubernetes-list-map-keys")
              .forEach(name -> key.add(item.path(name.asText()).toString()));
          if (!seen.add(key)) {
            errors.add(path + "[" + i + "]: Duplicate value: " + key);
          }
        }
      }
      for (int i = 0; i < value.size(); i++) {
        duplicateListMapKeys(value.get(i), schema.path("items"), path + "[" + i + "]", errors);
      }
    } else if (value.isObject()) {
      value
          .properties()
          .forEach(
              field ->
                  duplicateListMapKeys(
                      field.getValue(),
                      schema.path("properties").path(field.getKey()),
                      join(path, field.getKey()),
                      errors));
    }
  }

  private static void applyDefaults(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      properties
          .properties()
          .forEach(
              property -> {
                if (!object.has(property.getKey()) && property.getValue().has("default")) {
                  object.set(property.getKey(), property.getValue().get("default").deepCopy());
                }
              });
      object
          .properties()
          .forEach(
              field -> {
                if (properties.has(field.getKey())) {
                  applyDefaults(field.getValue(), properties.get(field.getKey()));
                } else if (schema.path("additionalProperties").isObject()) {
                  applyDefaults(field.getValue(), schema.get("additionalProperties"));
                }
              });
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> applyDefaults(item, schema.path("items")));
    }
  }

  /** The API server validates apiVersion, kind and metadata itself; CRD schemas leave them out. */
  private static JsonNode withImplicitRootFields(JsonNode schema) {
    ObjectNode properties = (ObjectNode) schema.path("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object");
    return schema;
  }

  /**
   * Refuses unknown fields wherever the schema does not preserve them, as kubectl's strict mode.
   */
  private static JsonNode strict(JsonNode schema) {
    if (schema instanceof ObjectNode node) {
      boolean preserves = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      if (node.has("properties") && !node.has("additionalProperties") && !preserves) {
        node.set("additionalProperties", BooleanNode.FALSE);
      }
      node.path("properties").forEach(CrdAdmission::strict);
      if (node.has("items")) {
        strict(node.get("items"));
      }
      if (node.path("additionalProperties").isObject()) {
        strict(node.get("additionalProperties"));
      }
    }
    return schema;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
