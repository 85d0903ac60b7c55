package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a whole, already validated {@code chat.completion} into the chunks of a stream: a role
 * chunk, the content (and tool calls), the finish reason, and the usage chunk if asked for.
 */
final class CompletionChunks {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private CompletionChunks() {}

  /**
   * Whether a chunk carries output the client can show: text, a refusal or tool-call arguments in a
   * choice's delta. A role-only opening chunk, a finish reason or the usage chunk do not. Indexed
   * reads only, no iterator: this runs on every chunk of every stream.
   */
  static boolean carriesContent(JsonNode chunk) {
    JsonNode choices = chunk.get("choices");
    if (choices == null) {
      return false;
    }
    for (int i = 0; i < choices.size(); i++) {
      JsonNode delta = choices.get(i).get("delta");
      if (delta != null
          && (nonEmptyText(delta.get("content"))
              || nonEmptyText(delta.get("refusal"))
              || nonEmptyArray(delta.get("tool_calls")))) {
        return true;
      }
    }
    return false;
  }

  private static boolean nonEmptyText(JsonNode n) {
    return n != null && n.isTextual() && !n.textValue().isEmpty();
  }

  private static boolean nonEmptyArray(JsonNode n) {
    return n != null && n.isArray() && !n.isEmpty();
  }

  static List<ObjectNode> of(ObjectNode completion, boolean includeUsage) {
    List<ObjectNode> chunks = new ArrayList<>();
    for (JsonNode choice : completion.path("choices")) {
      int index = choice.path("index").asInt(0);
      JsonNode message = choice.path("message");
      ObjectNode role = chunk(completion, index);
      ObjectNode delta = (ObjectNode) role.path("choices").path(0).path("delta");
      delta.put("role", "assistant");
      delta.put("content", "");
      chunks.add(role);
      if (message.hasNonNull("content") && !message.path("content").asText().isEmpty()) {
        ObjectNode c = chunk(completion, index);
        ((ObjectNode) c.path("choices").path(0).path("delta"))
            .put("content", message.path("content").asText());
        chunks.add(c);
      }
      if (message.path("tool_calls").isArray() && !message.path("tool_calls").isEmpty()) {
        ObjectNode c = chunk(completion, index);
        var calls = ((ObjectNode) c.path("choices").path(0).path("delta")).putArray("tool_calls");
        int i = 0;
        for (JsonNode call : message.path("tool_calls")) {
          ObjectNode copy = call.deepCopy();
          copy.put("index", i++);
          calls.add(copy);
        }
        chunks.add(c);
      }
      ObjectNode end = chunk(completion, index);
      ((ObjectNode) end.path("choices").path(0))
          .put("finish_reason", choice.path("finish_reason").asText("stop"));
      chunks.add(end);
    }
    if (includeUsage && completion.has("usage")) {
      ObjectNode usage = base(completion);
      usage.putArray("choices");
      usage.set("usage", completion.get("usage"));
      chunks.add(usage);
    }
    return chunks;
  }

  private static ObjectNode chunk(ObjectNode completion, int index) {
    ObjectNode c = base(completion);
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", index);
    choice.putObject("delta");
    choice.putNull("finish_reason");
    return c;
  }

  private static ObjectNode base(ObjectNode completion) {
    ObjectNode c = JSON.objectNode();
    c.set("id", completion.get("id"));
    c.put("object", "chat.completion.chunk");
    c.set("created", completion.get("created"));
    c.set("model", completion.get("model"));
    return c;
  }
}
