package io.aihandler.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;

/**
 * Builds the {@code response} objects of one request in OpenAI's shape: the same id, creation time
 * and echoed settings in every state the request passes through (in progress, completed,
 * incomplete, failed).
 *
 * @param id the response id
 * @param createdAt seconds since the epoch
 * @param model the name the client used
 * @param settings what the request said, echoed
 * @param chat the chat request as routed, for the sampling settings a task may have filled in
 */
record ResponseObject(
    String id, long createdAt, String model, ResponseSettings settings, ObjectNode chat) {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The response before any output: what {@code response.created} carries. */
  ObjectNode inProgress() {
    return base("in_progress", JSON.arrayNode());
  }

  /**
   * The finished response: {@code incomplete} when the answer was cut off by the token limit or a
   * content filter, {@code completed} otherwise.
   *
   * @param stored whether the conversation was kept for {@code previous_response_id}
   */
  ObjectNode finished(ArrayNode output, String finishReason, JsonNode chatUsage, boolean stored) {
    String reason = incompleteReason(finishReason);
    ObjectNode r = base(reason == null ? "completed" : "incomplete", output);
    if (reason == null) {
      r.put("completed_at", System.currentTimeMillis() / 1000);
    } else {
      r.putObject("incomplete_details").put("reason", reason);
    }
    r.set("usage", usage(chatUsage));
    r.put("store", stored);
    return r;
  }

  /** The response of a stream that broke after it began. */
  ObjectNode failed(ArrayNode output, ApiException error) {
    ObjectNode r = base("failed", output);
    // The response object's error codes are a closed set; the error event before it carries
    // the router's own code.
    r.putObject("error")
        .put("code", error.status() == 429 ? "rate_limit_exceeded" : "server_error")
        .put("message", error.getMessage());
    return r;
  }

  /** {@code incomplete_details.reason} for a chat finish reason, or null when it is complete. */
  static String incompleteReason(String finishReason) {
    if (finishReason == null) {
      return null;
    }
    return switch (finishReason) {
      case "length" -> "max_output_tokens";
      case "content_filter" -> "content_filter";
      default -> null;
    };
  }

  /** Responses usage from chat usage: the details objects are always present, as SDKs require. */
  static ObjectNode usage(JsonNode chat) {
    ObjectNode u = JSON.objectNode();
    long in = chat == null ? 0 : chat.path("prompt_tokens").asLong(0);
    long out = chat == null ? 0 : chat.path("completion_tokens").asLong(0);
    u.put("input_tokens", in);
    ObjectNode inDetails = u.putObject("input_tokens_details");
    inDetails.put(
        "cached_tokens",
        chat == null ? 0 : chat.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    inDetails.put("cache_write_tokens", 0);
    u.put("output_tokens", out);
    u.putObject("output_tokens_details")
        .put(
            "reasoning_tokens",
            chat == null
                ? 0
                : chat.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    u.put("total_tokens", in + out);
    return u;
  }

  /** An assistant message item with one text part (or a refusal part). */
  static ObjectNode messageItem(String id, String status, String text, String refusal) {
    ObjectNode item = JSON.objectNode();
    item.put("id", id);
    item.put("type", "message");
    item.put("status", status);
    item.put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (text != null || refusal == null) {
      content.add(textPart(text == null ? "" : text));
    }
    if (refusal != null) {
      content.add(refusalPart(refusal));
    }
    return item;
  }

  static ObjectNode textPart(String text) {
    ObjectNode part = JSON.objectNode();
    part.put("type", "output_text");
    part.putArray("annotations");
    part.putArray("logprobs");
    part.put("text", text);
    return part;
  }

  static ObjectNode refusalPart(String refusal) {
    return JSON.objectNode().put("type", "refusal").put("refusal", refusal);
  }

  static ObjectNode functionCallItem(
      String id, String status, String callId, String name, String arguments) {
    ObjectNode item = JSON.objectNode();
    item.put("id", id);
    item.put("type", "function_call");
    item.put("status", status);
    item.put("arguments", arguments);
    item.put("call_id", callId);
    item.put("name", name);
    return item;
  }

  /** The output items of a whole chat completion: its text, then its tool calls. */
  static ArrayNode outputItems(JsonNode completion) {
    JsonNode choice = completion.path("choices").path(0);
    JsonNode message = choice.path("message");
    String status =
        incompleteReason(choice.path("finish_reason").asText(null)) == null
            ? "completed"
            : "incomplete";
    ArrayNode output = JSON.arrayNode();
    String text = message.path("content").isTextual() ? message.get("content").asText() : null;
    String refusal = message.path("refusal").isTextual() ? message.get("refusal").asText() : null;
    JsonNode calls = message.path("tool_calls");
    boolean hasCalls = calls.isArray() && !calls.isEmpty();
    if ((text != null && !text.isEmpty()) || refusal != null || !hasCalls) {
      output.add(messageItem(ResponseIds.message(), status, text, refusal));
    }
    if (hasCalls) {
      for (JsonNode call : calls) {
        output.add(
            functionCallItem(
                ResponseIds.functionCall(),
                "completed",
                call.path("id").asText(),
                call.path("function").path("name").asText(),
                call.path("function").path("arguments").asText("")));
      }
    }
    return output;
  }

  private ObjectNode base(String status, ArrayNode output) {
    ObjectNode r = JSON.objectNode();
    r.put("id", id);
    r.put("object", "response");
    r.put("created_at", createdAt);
    r.put("status", status);
    r.put("background", false);
    r.putNull("error");
    r.putNull("incomplete_details");
    if (settings.instructions() == null) {
      r.putNull("instructions");
    } else {
      r.put("instructions", settings.instructions());
    }
    JsonNode maxTokens =
        chat.has("max_completion_tokens")
            ? chat.get("max_completion_tokens")
            : chat.get("max_tokens");
    r.set("max_output_tokens", maxTokens == null ? JSON.nullNode() : maxTokens);
    r.put("model", model);
    r.set("output", output);
    r.put("parallel_tool_calls", settings.parallelToolCalls());
    if (settings.previousResponseId() == null) {
      r.putNull("previous_response_id");
    } else {
      r.put("previous_response_id", settings.previousResponseId());
    }
    ObjectNode reasoning = r.putObject("reasoning");
    if (settings.reasoningEffort() == null) {
      reasoning.putNull("effort");
    } else {
      reasoning.put("effort", settings.reasoningEffort());
    }
    reasoning.putNull("summary");
    r.put("store", settings.store());
    r.set("temperature", orNull(chat.get("temperature")));
    r.set("text", settings.text());
    r.set("tool_choice", settings.toolChoice());
    r.set("tools", settings.tools());
    r.set("top_p", orNull(chat.get("top_p")));
    r.put("truncation", "disabled");
    r.putNull("usage");
    if (settings.user() == null) {
      r.putNull("user");
    } else {
      r.put("user", settings.user());
    }
    r.set("metadata", settings.metadata());
    return r;
  }

  private static JsonNode orNull(JsonNode value) {
    return value == null ? JSON.nullNode() : value;
  }
}
