package io.aihandler.router.provider.gemini;

import static io.aihandler.router.provider.ChatCompletionShapes.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.ChatCompletionShapes;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;

/** Turns a Gemini {@code GenerateContentResponse} into an OpenAI {@code chat.completion}. */
final class ChatCompletionFromGenerateContent {

  private ChatCompletionFromGenerateContent() {}

  static ObjectNode translate(JsonNode response, TranslationContext context) {
    if (response == null || !response.isObject()) {
      throw malformed("Gemini returned a body that is not a GenerateContentResponse");
    }
    JsonNode candidate = response.path("candidates").path(0);
    if (candidate.isMissingNode()) {
      if (isBlockedPrompt(response)) {
        ObjectNode message = ChatCompletionShapes.assistantMessage(null);
        return ChatCompletionShapes.completion(
            context, message, "content_filter", usage(response.path("usageMetadata")));
      }
      throw malformed("Gemini returned no candidate and no reason for it");
    }
    StringBuilder text = new StringBuilder();
    boolean hasText = false;
    ArrayNode toolCalls = JSON.arrayNode();
    for (JsonNode part : candidate.path("content").path("parts")) {
      if (part.path("thought").asBoolean(false)) {
        continue; // thought summaries are not part of the answer
      }
      if (part.has("text")) {
        text.append(part.get("text").asText());
        hasText = true;
      } else if (part.has("functionCall")) {
        toolCalls.add(
            toolCall(
                part,
                ToolCallIds.of(part.get("functionCall"), context.responseId(), toolCalls.size())));
      }
    }
    ObjectNode message = ChatCompletionShapes.assistantMessage(hasText ? text.toString() : null);
    if (!toolCalls.isEmpty()) {
      message.set("tool_calls", toolCalls);
    }
    String finishReason =
        finishReason(candidate.path("finishReason").asText(null), !toolCalls.isEmpty());
    return ChatCompletionShapes.completion(
        context, message, finishReason, usage(response.path("usageMetadata")));
  }

  /**
   * An OpenAI tool call for a {@code functionCall} part; its thought signature, when present,
   * travels where Google's own OpenAI-compatible API puts it, so clients hand it back.
   */
  static ObjectNode toolCall(JsonNode part, String id) {
    JsonNode functionCall = part.get("functionCall");
    ObjectNode call = JSON.objectNode();
    call.put("id", id);
    call.put("type", "function");
    ObjectNode function = call.putObject("function");
    function.put("name", functionCall.path("name").asText());
    JsonNode args = functionCall.get("args");
    function.put("arguments", args == null || args.isNull() ? "{}" : args.toString());
    String signature = part.path("thoughtSignature").asText("");
    if (!signature.isEmpty()) {
      call.putObject("extra_content").putObject("google").put("thought_signature", signature);
    }
    return call;
  }

  static boolean isBlockedPrompt(JsonNode response) {
    return !response.path("promptFeedback").path("blockReason").asText("").isEmpty();
  }

  /** Gemini's {@code finishReason} as an OpenAI {@code finish_reason}. */
  static String finishReason(String finishReason, boolean calledFunctions) {
    if (finishReason == null) {
      return calledFunctions ? "tool_calls" : "stop";
    }
    return switch (finishReason) {
      case "MAX_TOKENS" -> "length";
      case "SAFETY",
          "RECITATION",
          "BLOCKLIST",
          "PROHIBITED_CONTENT",
          "SPII",
          "IMAGE_SAFETY",
          "IMAGE_PROHIBITED_CONTENT",
          "IMAGE_RECITATION" ->
          "content_filter";
      default ->
          calledFunctions ? "tool_calls" : "stop"; // STOP, OTHER, MALFORMED_FUNCTION_CALL, ...
    };
  }

  /**
   * Gemini's {@code promptTokenCount} already includes cached content; tool-use prompt tokens are
   * billed as input, and thinking tokens as output, so both are folded in as OpenAI counts them.
   */
  static ObjectNode usage(JsonNode metadata) {
    long prompt =
        metadata.path("promptTokenCount").asLong(0)
            + metadata.path("toolUsePromptTokenCount").asLong(0);
    long thoughts = metadata.path("thoughtsTokenCount").asLong(0);
    long completion = metadata.path("candidatesTokenCount").asLong(0) + thoughts;
    long cached = metadata.path("cachedContentTokenCount").asLong(0);
    return ChatCompletionShapes.usage(prompt, completion, cached, thoughts);
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
