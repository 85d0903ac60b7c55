package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.provider.EmbeddingRequest;

/**
 * What a request may cost in tokens before the provider has counted: its text at about four
 * characters a token (plus a few tokens of framing per message), and the most output it allows.
 * Only a budget's first guess; the provider's own count corrects it.
 */
public final class TokenEstimate {

  private static final int CHARS_PER_TOKEN = 4;
  private static final int TOKENS_PER_MESSAGE = 4;

  private TokenEstimate() {}

  /** Estimated input plus maximum output tokens of an OpenAI chat request. */
  public static long of(JsonNode request, int defaultMaxTokens) {
    long chars = 0;
    JsonNode messages = request.path("messages");
    for (JsonNode m : messages) {
      chars += textLength(m);
    }
    chars += textLength(request.path("tools"));
    chars += textLength(request.path("response_format"));
    long input =
        (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN
            + (long) TOKENS_PER_MESSAGE * messages.size();
    return input + maxOutput(request, defaultMaxTokens);
  }

  /**
   * Estimated input tokens of an embeddings request: each text at about four characters a token (at
   * least one), each token array its length. Gemini counts none, so this is what its calls are
   * metered at.
   */
  static long ofEmbeddings(EmbeddingRequest request) {
    long tokens = 0;
    if (request.isTokens()) {
      for (int[] ids : request.tokens()) {
        tokens += ids.length;
      }
    } else {
      for (String text : request.texts()) {
        tokens += Math.max(1, (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
      }
    }
    return tokens;
  }

  private static long maxOutput(JsonNode request, int defaultMaxTokens) {
    JsonNode limit = request.get("max_completion_tokens");
    if (limit == null || !limit.canConvertToLong()) {
      limit = request.get("max_tokens");
    }
    return limit != null && limit.canConvertToLong() && limit.asLong() > 0
        ? limit.asLong()
        : defaultMaxTokens;
  }

  /** Characters of every string in a tree (keys of objects included: they are sent too). */
  private static long textLength(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue().length();
    }
    long n = 0;
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        n += e.getKey().length() + textLength(e.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        n += textLength(child);
      }
    } else if (node.isValueNode()) {
      n += node.asText().length();
    }
    return n;
  }
}
