package io.aihandler.router.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.io.IOException;

/**
 * Parses a request body into a JSON tree that cannot grow past the sidecar's limits: nesting
 * deeper than {@code maxDepth} or an array longer than {@code maxArrayItems} stops the parse with
 * an error that names the limit, before the tree is built. Jackson's own tree reader has no cap on
 * array lengths, and a body of tens of thousands of tiny messages builds a tree ten times its size.
 *
 * <p>Duplicate keys are refused: with them, the detectors and the backend could read different
 * values of one field.
 */
final class BoundedJsonReader {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonFactory factory;
  private final int maxDepth;
  private final int maxArrayItems;

  BoundedJsonReader(int maxDepth, int maxArrayItems, long maxBytes) {
    this.maxDepth = maxDepth;
    this.maxArrayItems = maxArrayItems;
    int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(maxBytes, 1024));
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    // One past our own limit, so that our check (with its clearer message) runs first.
                    .maxNestingDepth(maxDepth + 1)
                    .maxStringLength(maxString)
                    .maxNameLength(maxString)
                    .maxNumberLength(1000)
                    .build())
            .build();
  }

  /** The body as a JSON object; a 400 or 413 in the OpenAI envelope when it is not one or too big. */
  ObjectNode readObject(byte[] body) {
    try (JsonParser p = factory.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw ApiException.badRequest("invalid_json", null, "the body must be a JSON object");
      }
      ObjectNode root = readObjectBody(p, 1, "");
      if (p.nextToken() != null) {
        throw ApiException.badRequest(
            "invalid_json", null, "the body holds more than one JSON value" + where(p));
      }
      return root;
    } catch (JsonParseException e) {
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON" + where(e.getProcessor()));
    } catch (IOException e) {
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON");
    }
  }

  private JsonNode readValue(JsonParser p, JsonToken t, int depth, String path) throws IOException {
    return switch (t) {
      case START_OBJECT -> readObjectBody(p, depth + 1, path);
      case START_ARRAY -> readArrayBody(p, depth + 1, path);
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT -> intNode(p);
      // Doubles, as Jackson's own tree reader makes them.
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> throw ApiException.badRequest("invalid_json", null, "unexpected " + t + where(p));
    };
  }

  private static JsonNode intNode(JsonParser p) throws IOException {
    return switch (p.getNumberType()) {
      case INT -> NODES.numberNode(p.getIntValue());
      case LONG -> NODES.numberNode(p.getLongValue());
      default -> NODES.numberNode(p.getBigIntegerValue());
    };
  }

  private ObjectNode readObjectBody(JsonParser p, int depth, String path) throws IOException {
    checkDepth(depth, path);
    ObjectNode node = NODES.objectNode();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      String at = path.isEmpty() ? name : path + "." + name;
      JsonNode value = readValue(p, p.nextToken(), depth, at);
      if (node.putIfAbsent(name, value) != null) {
        throw ApiException.badRequest(
            "invalid_json", null, "the key \"" + printable(at) + "\" appears twice in one object");
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON" + where(p));
    }
    return node;
  }

  private ArrayNode readArrayBody(JsonParser p, int depth, String path) throws IOException {
    checkDepth(depth, path);
    ArrayNode node = NODES.arrayNode();
    JsonToken t;
    int items = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON" + where(p));
      }
      if (++items > maxArrayItems) {
        throw new ApiException(
            413, "invalid_request_error", "json_array_too_long", printable(path),
            "the array " + (path.isEmpty() ? "at the top" : "'" + printable(path) + "'")
                + " has more than " + maxArrayItems + " items (sidecar.maxJsonArrayItems)");
      }
      node.add(readValue(p, t, depth, path));
    }
    return node;
  }

  private void checkDepth(int depth, String path) {
    if (depth > maxDepth) {
      throw ApiException.badRequest(
          "json_too_deep", null,
          "the body nests objects and arrays more than " + maxDepth + " deep (sidecar.maxJsonDepth)");
    }
  }

  private static String where(JsonParser p) {
    if (p == null || p.currentLocation() == null) {
      return "";
    }
    return " at line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
  }

  /** A path from the request, cut short and stripped of control characters for error messages. */
  private static String printable(String path) {
    StringBuilder out = new StringBuilder(Math.min(path.length(), 80));
    for (int i = 0; i < path.length() && out.length() < 80; i++) {
      char c = path.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
