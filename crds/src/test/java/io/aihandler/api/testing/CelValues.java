package io.aihandler.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON value into the CEL value the API server would bind to {@code self}: integers as
 * int, numbers as double (as the schema says, not as the YAML was written), and object property
 * names escaped as Kubernetes escapes them ({@code namespace} becomes {@code __namespace__}).
 */
public final class CelValues {

  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private CelValues() {}

  /** The CEL value of {@code value}, typed by the structural schema {@code schema}. */
  public static Object of(JsonNode value, JsonNode schema) {
    if (value == null || value.isNull()) {
      return com.google.protobuf.NullValue.NULL_VALUE;
    }
    JsonNode safeSchema =
        schema == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : schema;
    String type = safeSchema.path("type").asText("");
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      JsonNode properties = safeSchema.path("properties");
      JsonNode additional = safeSchema.path("additionalProperties");
      value
          .properties()
          .forEach(
              field -> {
                if (properties.has(field.getKey())) {
                  map.put(
                      escape(field.getKey()), of(field.getValue(), properties.get(field.getKey())));
                } else {
                  map.put(
                      field.getKey(),
                      of(field.getValue(), additional.isObject() ? additional : null));
                }
              });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(item -> list.add(of(item, safeSchema.path("items"))));
      return list;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isNumber()) {
      if ("number".equals(type) || (!"integer".equals(type) && !value.isIntegralNumber())) {
        return value.doubleValue();
      }
      return value.longValue();
    }
    return value.asText();
  }

  /** Kubernetes' escaping of property names for CEL. */
  public static String escape(String name) {
    if (RESERVED.contains(name)) {
      return "__" + name + "__";
    }
    return name.replace("__", "__underscores__")
        .replace(".", "__dot__")
        .replace("-", "__dash__")
        .replace("/", "__slash__");
  }
}
