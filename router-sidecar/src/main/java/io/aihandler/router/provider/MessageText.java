package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of an OpenAI message's {@code content}, for providers that take only text in that place:
 * a string, or an array of {@code text} parts ({@code refusal} parts carry no content to send on).
 * Empty texts are left out, since providers reject empty text blocks.
 */
public final class MessageText {

  private MessageText() {}

  /**
   * @param where names the message in errors, e.g. {@code messages[2]}
   * @throws UnsupportedRequestException for any other kind of part
   */
  public static List<String> texts(JsonNode content, String where) {
    List<String> texts = new ArrayList<>();
    if (content == null || content.isNull()) {
      return texts;
    }
    if (content.isTextual()) {
      addIfNotEmpty(texts, content.asText());
      return texts;
    }
    if (!content.isArray()) {
      throw new UnsupportedRequestException("messages", where + ".content must be text or parts");
    }
    for (JsonNode part : content) {
      String type = part.path("type").asText();
      if (type.equals("text")) {
        addIfNotEmpty(texts, part.path("text").asText());
      } else if (!type.equals("refusal")) {
        throw new UnsupportedRequestException(
            "messages", where + " may only hold text, not a '" + type + "' part");
      }
    }
    return texts;
  }

  private static void addIfNotEmpty(List<String> texts, String text) {
    if (!text.isEmpty()) {
      texts.add(text);
    }
  }
}
