package io.aihandler.router.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Gemini's function calls usually carry no id, while OpenAI clients answer each call by id. Ids are
 * made from the response id and the call's position, so the same response always gets the same ids
 * (translators stay pure) and ids differ between responses of a conversation.
 */
final class ToolCallIds {

  private ToolCallIds() {}

  /** The call's own id when Gemini sent one, else {@code call_<response id suffix>_<index>}. */
  static String of(JsonNode functionCall, String responseId, int index) {
    String own = functionCall.path("id").asText("");
    if (!own.isEmpty()) {
      return own;
    }
    String suffix = responseId == null ? "" : responseId;
    int dash = suffix.indexOf('-');
    if (dash >= 0) {
      suffix = suffix.substring(dash + 1);
    }
    return "call_" + suffix + "_" + index;
  }
}
