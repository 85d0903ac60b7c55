package io.aihandler.router.tracing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.runtime.Json;

/**
 * Prompt and completion text in the GenAI conventions' message shape ({@code [{"role": "user",
 * "parts": [{"type": "text", "content": "..."}]}]}), for {@code gen_ai.input.messages} and {@code
 * gen_ai.output.messages} when content capture is on. Bounded: each text part is cut at {@link
 * #MAX_PART_CHARS}, at most {@link #MAX_MESSAGES} messages are kept (the last ones, which the
 * answer follows from), and the whole attribute is cut at {@link #MAX_ATTRIBUTE_CHARS}.
 */
public final class ContentCapture {

  static final int MAX_PART_CHARS = 4096;
  static final int MAX_MESSAGES = 32;
  public static final int MAX_ATTRIBUTE_CHARS = 16 * 1024;

  private static final ObjectMapper MAPPER = Json.mapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ContentCapture() {}

  /** The request's chat {@code messages} as input messages. */
  public static String inputMessages(JsonNode messages) {
    ArrayNode out = F.arrayNode();
    if (messages != null && messages.isArray()) {
      int from = Math.max(0, messages.size() - MAX_MESSAGES);
      for (int i = from; i < messages.size(); i++) {
        JsonNode m = messages.get(i);
        ObjectNode o = out.addObject();
        o.put("role", m.path("role").asText("user"));
        ArrayNode parts = o.putArray("parts");
        content(parts, m.path("content"));
        toolCalls(parts, m.path("tool_calls"));
        if (m.hasNonNull("tool_call_id")) {
          ObjectNode r = parts.addObject();
          r.put("type", "tool_call_response");
          r.put("id", cut(m.path("tool_call_id").asText()));
        }
      }
    }
    return bounded(out);
  }

  /** A chat completion's choices as output messages, each with its finish reason. */
  public static String outputMessages(JsonNode completion) {
    ArrayNode out = F.arrayNode();
    for (JsonNode choice : completion.path("choices")) {
      if (out.size() == MAX_MESSAGES) {
        break;
      }
      JsonNode m = choice.path("message");
      ObjectNode o = out.addObject();
      o.put("role", m.path("role").asText("assistant"));
      ArrayNode parts = o.putArray("parts");
      content(parts, m.path("content"));
      toolCalls(parts, m.path("tool_calls"));
      o.put("finish_reason", choice.path("finish_reason").asText(""));
    }
    return bounded(out);
  }

  private static void content(ArrayNode parts, JsonNode content) {
    if (content.isTextual()) {
      text(parts, content.asText());
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.path("text").isTextual()) {
          text(parts, part.path("text").asText());
        }
      }
    }
  }

  private static void text(ArrayNode parts, String text) {
    ObjectNode p = parts.addObject();
    p.put("type", "text");
    p.put("content", cut(text));
  }

  private static void toolCalls(ArrayNode parts, JsonNode calls) {
    for (JsonNode call : calls) {
      ObjectNode p = parts.addObject();
      p.put("type", "tool_call");
      p.put("id", cut(call.path("id").asText("")));
      p.put("name", cut(call.path("function").path("name").asText("")));
      p.put("arguments", cut(call.path("function").path("arguments").asText("")));
    }
  }

  private static String cut(String s) {
    return s.length() <= MAX_PART_CHARS ? s : s.substring(0, MAX_PART_CHARS) + "...";
  }

  private static String bounded(ArrayNode messages) {
    String json;
    try {
      json = MAPPER.writeValueAsString(messages);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
    return json.length() <= MAX_ATTRIBUTE_CHARS ? json : json.substring(0, MAX_ATTRIBUTE_CHARS);
  }
}
