package io.aihandler.controllers.advisor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * How much structure a task's output schema asks for: the number of schema nodes (each property,
 * array item schema, composition branch and enum value counts one) and the nesting depth. A
 * deterministic answer on a large or deep schema is where hosted models' native structured output
 * has been most reliable, so it weighs in the structured-output question.
 *
 * @param nodes schema nodes counted
 * @param depth deepest nesting of objects and arrays
 */
public record SchemaComplexity(int nodes, int depth) {

  /** Depth from which a schema counts as complex whatever its size. */
  static final int COMPLEX_DEPTH = 3;

  /** Schemas are bounded by the CRD; this stops a pathological one from costing more. */
  private static final int MAX_VISITED = 10_000;

  /** The complexity of a schema; a null schema has none. */
  public static SchemaComplexity of(JsonNode schema) {
    if (schema == null || !schema.isObject()) {
      return new SchemaComplexity(0, 0);
    }
    int[] visited = {0};
    int[] nodes = {0};
    int depth = walk(schema, 0, nodes, visited);
    return new SchemaComplexity(nodes[0], depth);
  }

  /** Whether the schema counts as complex under the given node threshold. */
  public boolean complex(int nodeThreshold) {
    return nodes >= nodeThreshold || depth >= COMPLEX_DEPTH;
  }

  /** Nodes and depth in words, for evidence. */
  public String describe() {
    return nodes + " schema nodes, depth " + depth;
  }

  private static int walk(JsonNode schema, int level, int[] nodes, int[] visited) {
    if (!schema.isObject() || ++visited[0] > MAX_VISITED) {
      return level;
    }
    int deepest = level;
    JsonNode properties = schema.get("properties");
    if (properties != null && properties.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        nodes[0]++;
        deepest = Math.max(deepest, walk(it.next().getValue(), level + 1, nodes, visited));
      }
    }
    JsonNode items = schema.get("items");
    if (items != null && items.isObject()) {
      nodes[0]++;
      deepest = Math.max(deepest, walk(items, level + 1, nodes, visited));
    }
    for (String composition : new String[] {"anyOf", "oneOf", "allOf", "prefixItems"}) {
      JsonNode branches = schema.get(composition);
      if (branches != null && branches.isArray()) {
        for (JsonNode branch : branches) {
          nodes[0]++;
          deepest = Math.max(deepest, walk(branch, level, nodes, visited));
        }
      }
    }
    JsonNode definitions = schema.has("$defs") ? schema.get("$defs") : schema.get("definitions");
    if (definitions != null && definitions.isObject()) {
      for (Iterator<JsonNode> it = definitions.elements(); it.hasNext(); ) {
        deepest = Math.max(deepest, walk(it.next(), level, nodes, visited));
      }
    }
    JsonNode values = schema.get("enum");
    if (values != null && values.isArray()) {
      nodes[0] += values.size();
    }
    return deepest;
  }
}
