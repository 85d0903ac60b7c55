package io.aihandler.router.abuse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Chat-completions request bodies. */
public final class Chat {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Chat() {}

  public static String oneMessage(String model, String text) {
    ObjectNode body = MAPPER.createObjectNode().put("model", model);
    body.putArray("messages").addObject().put("role", "user").put("content", text);
    return body.toString();
  }

  public static String streaming(String model, String text) {
    ObjectNode body = MAPPER.createObjectNode().put("model", model).put("stream", true);
    body.putArray("messages").addObject().put("role", "user").put("content", text);
    return body.toString();
  }

  /** A JSON string literal of this text. */
  public static String quote(String text) {
    try {
      return MAPPER.writeValueAsString(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
