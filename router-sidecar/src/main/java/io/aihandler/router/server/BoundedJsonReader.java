package io.aihandler.router.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.runtime.Json;
import java.io.IOException;

/**
 * Parses a request body into a JSON tree that cannot grow past the sidecar's limits: nesting deeper
 * than {@code maxDepth} or an array longer than {@code maxArrayItems} stops the parse with an error
 * that names the limit, before the tree is built. Jackson's own tree reader has no cap on array
 * lengths, and a body of tens of thousands of tiny messages builds a tree ten times its size.
 *
 * <p>The tree's heap is counted as it grows (an estimate per node, from the JDK's object layouts)
 * and charged to a {@link TreeCharge} in steps, so that memory is reserved before it is used; a
 * tree that would outgrow {@code maxTreeBytes} stops the parse with 413.
 *
 * <p>Duplicate keys are refused: with them, the detectors and the backend could read different
 * values of one field.
 */
final class BoundedJsonReader {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // Estimated heap per node (compressed references): header and fields, the object node's map
  // and its entries, the array node's list slots, a string's header and Latin-1 or UTF-16 bytes.
  private static final int OBJECT = 96;
  private static final int FIELD = 48;
  private static final int ARRAY = 64;
  private static final int ITEM = 8;
  private static final int SCALAR = 24;
  private static final int STRING = 56;
  private static final int STEP = 64 * 1024;

  /** Receives the tree's cost as it grows; throws to stop the parse. */
  @FunctionalInterface
  interface TreeCharge {
    void charge(long bytes);
  }

  private final JsonFactory factory;
  private final int maxDepth;
  private final int maxArrayItems;
  private final long maxTreeBytes;

  /** The state of one parse: the tree's cost so far and how much of it was charged. */
  private static final class Cost {
    final TreeCharge charge;
    long total;
    long charged;

    Cost(TreeCharge charge) {
      this.charge = charge;
    }
  }

  BoundedJsonReader(int maxDepth, int maxArrayItems, long maxBytes, long maxTreeBytes) {
    this.maxDepth = maxDepth;
    this.maxArrayItems = maxArrayItems;
    this.maxTreeBytes = maxTreeBytes;
    int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(maxBytes, 1024));
    this.factory =
        Json.factoryBuilder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    // One past our own limit, so that our check (with its clearer message) runs
                    // first.
                    .maxNestingDepth(maxDepth + 1)
                    .maxStringLength(maxString)
                    .maxNameLength(maxString)
                    .maxNumberLength(1000)
                    .build())
            .build();
  }

  /**
   * The body as a JSON object; a 400 or 413 in the OpenAI envelope when it is not one or too big.
   */
  ObjectNode readObject(byte[] body, TreeCharge charge) {
    Cost cost = new Cost(charge);
    try (JsonParser p = factory.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw ApiException.badRequest("invalid_json", null, "the body must be a JSON object");
      }
      ObjectNode root = readObjectBody(p, 1, cost);
      cost.charge.charge(cost.total - cost.charged);
      if (p.nextToken() != null) {
        throw ApiException.badRequest(
            "invalid_json", null, "the body holds more than one JSON value" + where(p));
      }
      return root;
    } catch (JsonParseException e) {
      throw ApiException.badRequest(
          "invalid_json", null, "the body is not valid JSON" + where(e.getProcessor()));
    } catch (IOException e) {
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON");
    }
  }

  private JsonNode readValue(JsonParser p, JsonToken t, int depth, Cost cost) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      add(cost, STRING + 2L * p.getTextLength());
    } else if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
      add(cost, SCALAR);
    }
    return switch (t) {
      case START_OBJECT -> readObjectBody(p, depth + 1, cost);
      case START_ARRAY -> readArrayBody(p, depth + 1, cost);
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

  private void add(Cost cost, long bytes) {
    cost.total += bytes;
    if (cost.total > maxTreeBytes) {
      throw new ApiException(
          413,
          "invalid_request_error",
          "request_too_complex",
          null,
          "the body's JSON would take more than "
              + maxTreeBytes / 1024
              + " KiB of memory as a tree"
              + " (4 × sidecar.maxRequestBytes): it holds too many small values");
    }
    if (cost.total - cost.charged >= STEP) {
      cost.charge.charge(cost.total - cost.charged);
      cost.charged = cost.total;
    }
  }

  private ObjectNode readObjectBody(JsonParser p, int depth, Cost cost) throws IOException {
    checkDepth(depth);
    add(cost, OBJECT);
    ObjectNode node = NODES.objectNode();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      add(cost, FIELD + STRING + 2L * name.length());
      if (node.has(name)) {
        throw ApiException.badRequest(
            "invalid_json",
            null,
            "the key \"" + printable(path(p)) + "\" appears twice in one object");
      }
      node.set(name, readValue(p, p.nextToken(), depth, cost));
    }
    if (t != JsonToken.END_OBJECT) {
      throw ApiException.badRequest("invalid_json", null, "the body is not valid JSON" + where(p));
    }
    return node;
  }

  private ArrayNode readArrayBody(JsonParser p, int depth, Cost cost) throws IOException {
    checkDepth(depth);
    add(cost, ARRAY);
    ArrayNode node = NODES.arrayNode();
    JsonToken t;
    int items = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw ApiException.badRequest(
            "invalid_json", null, "the body is not valid JSON" + where(p));
      }
      if (++items > maxArrayItems) {
        String path = printable(path(p.getParsingContext().getParent()));
        throw new ApiException(
            413,
            "invalid_request_error",
            "json_array_too_long",
            path,
            "the array '"
                + path
                + "' has more than "
                + maxArrayItems
                + " items (sidecar.maxJsonArrayItems)");
      }
      add(cost, ITEM);
      node.add(readValue(p, t, depth, cost));
    }
    return node;
  }

  private void checkDepth(int depth) {
    if (depth > maxDepth) {
      throw ApiException.badRequest(
          "json_too_deep",
          null,
          "the body nests objects and arrays more than "
              + maxDepth
              + " deep (sidecar.maxJsonDepth)");
    }
  }

  private static String where(JsonParser p) {
    if (p == null || p.currentLocation() == null) {
      return "";
    }
    return " at line "
        + p.currentLocation().getLineNr()
        + ", column "
        + p.currentLocation().getColumnNr();
  }

  /** Where the parser is, as the dotted names of the fields it is in (array indexes left out). */
  private static String path(JsonParser p) {
    return path(p.getParsingContext());
  }

  private static String path(JsonStreamContext context) {
    java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
    for (JsonStreamContext c = context; c != null; c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        names.addFirst(c.getCurrentName());
      }
    }
    return String.join(".", names);
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
