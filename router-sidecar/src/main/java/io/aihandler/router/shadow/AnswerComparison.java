package io.aihandler.router.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Compares a shadow answer with the primary's, both valid against the task's schema: whether the
 * whole JSON values are equal, and, for each field the schema gives a closed set of values or a
 * scalar kind to (an {@code enum} or {@code const}, a {@code boolean}, a {@code number} or {@code
 * integer}), whether the two answers hold the same value. Fields are found in the schema's {@code
 * properties}, at the top level and in nested objects down to {@link #MAX_DEPTH} levels; items of
 * arrays, {@code $ref}s and combinators ({@code anyOf}, {@code oneOf}, {@code allOf}) are compared
 * only as part of the exact match, since which item or branch corresponds to which is not defined.
 * Numbers compare by value ({@code 1} equals {@code 1.0}); a field absent from both answers is not
 * counted, one absent from one only disagrees.
 */
final class AnswerComparison {

  /** Nested objects followed below the top level. */
  static final int MAX_DEPTH = 4;

  /** Fields compared per answer at most: the schema is config, but a bound costs nothing. */
  static final int MAX_FIELDS = 256;

  private static final Comparator<JsonNode> SAME_VALUE =
      (a, b) -> {
        if (a.equals(b)) {
          return 0;
        }
        if (a.isNumber() && b.isNumber()) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return 1;
      };

  private AnswerComparison() {}

  /**
   * The result of one comparison.
   *
   * @param exact the whole answers are equal
   * @param fieldsAgreeing schema fields with the same value in both
   * @param fieldsDisagreeing schema fields whose values differ, or that only one answer has
   */
  record Result(boolean exact, int fieldsAgreeing, int fieldsDisagreeing) {}

  static Result compare(JsonNode schema, JsonNode primary, JsonNode shadow) {
    boolean exact = same(primary, shadow);
    int agree = 0;
    int disagree = 0;
    for (List<String> path : fields(schema)) {
      JsonNode a = at(primary, path);
      JsonNode b = at(shadow, path);
      if (a == null && b == null) {
        continue;
      }
      if (a != null && b != null && same(a, b)) {
        agree++;
      } else {
        disagree++;
      }
    }
    return new Result(exact, agree, disagree);
  }

  /** Equal as JSON values, numbers by value. */
  static boolean same(JsonNode a, JsonNode b) {
    return a.equals(SAME_VALUE, b);
  }

  /** The paths of the schema's comparable fields, in schema order. */
  static List<List<String>> fields(JsonNode schema) {
    List<List<String>> out = new ArrayList<>();
    collect(schema, new ArrayList<>(), 0, out);
    return out;
  }

  private static void collect(
      JsonNode schema, List<String> prefix, int depth, List<List<String>> out) {
    JsonNode properties = schema == null ? null : schema.get("properties");
    if (properties == null || !properties.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (out.size() >= MAX_FIELDS) {
        return;
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      JsonNode field = e.getValue();
      if (comparable(field)) {
        out.add(List.copyOf(path));
      } else if (depth < MAX_DEPTH && field.has("properties")) {
        collect(field, path, depth + 1, out);
      }
    }
  }

  private static boolean comparable(JsonNode field) {
    if (!field.isObject()) {
      return false;
    }
    if (field.has("enum") || field.has("const")) {
      return true;
    }
    JsonNode type = field.get("type");
    if (type == null) {
      return false;
    }
    if (type.isTextual()) {
      return scalar(type.asText());
    }
    if (type.isArray()) {
      // e.g. ["number", "null"]: comparable when every type but null is a scalar kind
      boolean any = false;
      for (JsonNode t : type) {
        String name = t.asText();
        if (name.equals("null")) {
          continue;
        }
        if (!scalar(name)) {
          return false;
        }
        any = true;
      }
      return any;
    }
    return false;
  }

  private static boolean scalar(String type) {
    return type.equals("boolean") || type.equals("number") || type.equals("integer");
  }

  private static JsonNode at(JsonNode answer, List<String> path) {
    JsonNode n = answer;
    for (String name : path) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(name);
    }
    return n;
  }
}
