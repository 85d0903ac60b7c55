package io.aihandler.router.provider.anthropic;

import static io.aihandler.router.provider.ChatCompletionShapes.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.ChatCompletionShapes;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;

/** Turns an Anthropic {@code message} object into an OpenAI {@code chat.completion}. */
final class ChatCompletionFromMessage {

  private ChatCompletionFromMessage() {}

  static ObjectNode translate(JsonNode message, TranslationContext context, String answerTool) {
    JsonNode content = message == null ? null : message.get("content");
    if (content == null || !content.isArray()) {
      throw malformed("Anthropic returned a message without a content array");
    }
    StringBuilder text = new StringBuilder();
    boolean hasText = false;
    ArrayNode toolCalls = JSON.arrayNode();
    boolean answered = false;
    for (JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> {
          text.append(block.path("text").asText());
          hasText = true;
        }
        case "tool_use" -> {
          if (answerTool != null && answerTool.equals(block.path("name").asText())) {
            // The forced tool's input is the structured answer itself.
            text.setLength(0);
            text.append(block.path("input").toString());
            hasText = true;
            answered = true;
          } else {
            ObjectNode call = toolCalls.addObject();
            call.put("id", block.path("id").asText());
            call.put("type", "function");
            ObjectNode function = call.putObject("function");
            function.put("name", block.path("name").asText());
            function.put("arguments", block.path("input").toString());
          }
        }
        default -> {
          // thinking, redacted_thinking and server tool blocks have no OpenAI counterpart
        }
      }
    }
    ObjectNode reply = ChatCompletionShapes.assistantMessage(hasText ? text.toString() : null);
    if (!answered && !toolCalls.isEmpty()) {
      reply.set("tool_calls", toolCalls);
    }
    String stopReason = message.path("stop_reason").asText(null);
    String finishReason = answered ? answerFinishReason(stopReason) : finishReason(stopReason);
    return ChatCompletionShapes.completion(
        context, reply, finishReason, usage(message.path("usage")));
  }

  /** Anthropic's {@code stop_reason} as an OpenAI {@code finish_reason}. */
  static String finishReason(String stopReason) {
    if (stopReason == null) {
      return "stop";
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop"; // end_turn, stop_sequence, pause_turn
    };
  }

  /** The forced answer tool ends the turn with {@code tool_use}; to the client that is a stop. */
  static String answerFinishReason(String stopReason) {
    String reason = finishReason(stopReason);
    return reason.equals("tool_calls") ? "stop" : reason;
  }

  /**
   * OpenAI counts cached input in {@code prompt_tokens}, Anthropic reports it apart, so cache reads
   * and writes are folded in; {@code cached_tokens} are the cache reads.
   */
  static ObjectNode usage(JsonNode usage) {
    long input = usage.path("input_tokens").asLong(0);
    long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
    long cacheCreation = usage.path("cache_creation_input_tokens").asLong(0);
    long output = usage.path("output_tokens").asLong(0);
    return ChatCompletionShapes.usage(input + cacheRead + cacheCreation, output, cacheRead);
  }

  static UpstreamStreamException malformed(String message) {
    return new UpstreamStreamException(
        new UpstreamError(
            502,
            UpstreamError.Kind.SERVER_ERROR,
            "server_error",
            "bad_upstream_response",
            message,
            null));
  }
}
