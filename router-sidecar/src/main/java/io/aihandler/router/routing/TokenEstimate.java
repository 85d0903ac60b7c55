package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a request may cost in tokens before the provider has counted: its text at about four
 * characters a token (plus a few tokens of framing per message), and the most output it allows.
 * Only a budget's first guess; the provider's own count corrects it.
 */
final class TokenEstimate {

  private static final int CHARS_PER_TOKEN = 4;
  private static final int TOKENS_PER_MESSAGE = 4;

  private TokenEstimate() {}

  /** Estimated input plus maximum output tokens of an OpenAI chat request. */
  static long of(JsonNode request, int defaultMaxTokens) {
    long chars = 0;
    JsonNode messages = request.path("messages");
    for (JsonNode m : messages) {
      chars += textLength(m);
    }
    chars += textLength(request.path("tools"));
    chars += textLength(request.path("response_format"));
    long input = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + (long) TOKENS_PER_MESSAGE * messages.size();
    return input + maxOutput(request, defaultMaxTokens);
  }

  private static long maxOutput(JsonNode request, int defaultMaxTokens) {
    JsonNode limit = request.get("max_completion_tokens");
    if (limit == null || !limit.canConvertToLong()) {
      limit = request.get("max_tokens");
    }
    return limit != null && limit.canConvertToLong() && limit.asLong() > 0 ? limit.asLong() : defaultMaxTokens;
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
