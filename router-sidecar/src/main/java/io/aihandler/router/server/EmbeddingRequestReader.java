package io.aihandler.router.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.provider.EmbeddingRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads an OpenAI {@code POST /v1/embeddings} body: {@code input} as a string, an array of strings,
 * an array of token ids or an array of token-id arrays; {@code encoding_format}, {@code dimensions}
 * and {@code user}. Any other field is refused by name, and so is every input OpenAI refuses (empty
 * strings, empty arrays, negative or fractional token ids).
 */
final class EmbeddingRequestReader {

  /** Inputs one request may carry, whatever its backends take: OpenAI's own limit. */
  static final int MAX_INPUTS = 2048;

  /** Longer than any embedding model's vectors; the config's bound on declared dimensions. */
  static final int MAX_DIMENSIONS = 65_536;

  private static final Set<String> FIELDS =
      Set.of("model", "input", "encoding_format", "dimensions", "user");

  /**
   * A read request.
   *
   * @param request what the backends are asked for
   * @param base64 whether the client wants its vectors as base64 rather than float arrays
   */
  record Read(EmbeddingRequest request, boolean base64) {}

  private EmbeddingRequestReader() {}

  static Read read(ObjectNode body) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw ApiException.badRequest(
            "unsupported_parameter",
            name,
            "'"
                + name
                + "' is not supported on /v1/embeddings; it takes "
                + FIELDS.stream().sorted().toList());
      }
    }
    boolean base64 = encoding(body.get("encoding_format"));
    Integer dimensions = dimensions(body.get("dimensions"));
    String user = optionalText(body.get("user"), "user");
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      throw ApiException.badRequest(
          "missing_required_parameter",
          "input",
          "'input' is required: a string, an array of strings, of token ids or of token-id arrays");
    }
    if (input.isTextual()) {
      return new Read(
          new EmbeddingRequest(List.of(text(input, "input")), null, dimensions, user), base64);
    }
    if (!input.isArray()) {
      throw invalidInput("input", "must be a string or an array");
    }
    if (input.isEmpty()) {
      throw invalidInput("input", "is an empty array");
    }
    JsonNode first = input.get(0);
    if (first.isIntegralNumber()) {
      // One token array: a single input.
      List<int[]> one = new ArrayList<>(1);
      one.add(tokenIds(input, "input"));
      return new Read(new EmbeddingRequest(null, one, dimensions, user), base64);
    }
    if (input.size() > MAX_INPUTS) {
      throw ApiException.badRequest(
          "too_many_inputs",
          "input",
          "'input' has " + input.size() + " items; one request takes at most " + MAX_INPUTS);
    }
    if (first.isTextual()) {
      List<String> texts = new ArrayList<>(input.size());
      for (int i = 0; i < input.size(); i++) {
        JsonNode item = input.get(i);
        if (!item.isTextual()) {
          throw invalidInput("input[" + i + "]", "is not a string, as input[0] is");
        }
        texts.add(text(item, "input[" + i + "]"));
      }
      return new Read(new EmbeddingRequest(texts, null, dimensions, user), base64);
    }
    if (first.isArray()) {
      List<int[]> tokens = new ArrayList<>(input.size());
      for (int i = 0; i < input.size(); i++) {
        JsonNode item = input.get(i);
        if (!item.isArray()) {
          throw invalidInput("input[" + i + "]", "is not an array of token ids, as input[0] is");
        }
        tokens.add(tokenIds(item, "input[" + i + "]"));
      }
      return new Read(new EmbeddingRequest(null, tokens, dimensions, user), base64);
    }
    throw invalidInput("input[0]", "must be a string, a token id or an array of token ids");
  }

  private static String text(JsonNode node, String at) {
    String s = node.textValue();
    if (s.isEmpty()) {
      throw invalidInput(at, "is an empty string");
    }
    return s;
  }

  private static int[] tokenIds(JsonNode array, String at) {
    if (array.isEmpty()) {
      throw invalidInput(at, "is an empty array of token ids");
    }
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw invalidInput(at + "[" + i + "]", "is not a token id (a non-negative integer)");
      }
      ids[i] = id.intValue();
    }
    return ids;
  }

  /** OpenAI's own words for a bad input, with where and why. */
  private static ApiException invalidInput(String at, String why) {
    return ApiException.badRequest(
        "invalid_value", "input", "'$.input' is invalid: " + at + " " + why);
  }

  private static boolean encoding(JsonNode node) {
    if (node == null || node.isNull()) {
      return false;
    }
    if (node.isTextual() && node.textValue().equals("float")) {
      return false;
    }
    if (node.isTextual() && node.textValue().equals("base64")) {
      return true;
    }
    throw ApiException.badRequest(
        "invalid_value", "encoding_format", "'encoding_format' must be \"float\" or \"base64\"");
  }

  private static Integer dimensions(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.intValue() < 1
        || node.intValue() > MAX_DIMENSIONS) {
      throw ApiException.badRequest(
          "invalid_value",
          "dimensions",
          "'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS);
    }
    return node.intValue();
  }

  private static String optionalText(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("invalid_type", field, "'" + field + "' must be a string");
    }
    return node.textValue();
  }
}
