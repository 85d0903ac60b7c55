package io.aihandler.router.provider.gemini;

import static io.aihandler.router.provider.ChatCompletionShapes.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.ChatCompletionShapes;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.runtime.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemini's {@code streamGenerateContent?alt=sse} as OpenAI chunks. Each event is a whole {@code
 * GenerateContentResponse}; there is no {@code [DONE]}, so the stream is complete only once a
 * candidate brought a {@code finishReason} (or the prompt was blocked). The finish chunk is sent
 * from {@link #onEnd()}, keeping it last even if Gemini sends usage afterwards; a stream that ends
 * incomplete fails there instead.
 */
final class GeminiStreamTranslator implements StreamTranslator {

  private static final ObjectMapper MAPPER = Json.mapper();

  private final TranslationContext context;
  private boolean started;
  private int toolCalls;
  private String finishReason;
  private JsonNode usageMetadata = JSON.objectNode();

  GeminiStreamTranslator(TranslationContext context) {
    this.context = context;
  }

  @Override
  public List<ObjectNode> onEvent(String event, String data) {
    if (data == null || data.isBlank()) {
      return List.of();
    }
    JsonNode response = parse(data);
    if (response.has("error")) {
      throw new UpstreamStreamException(GeminiErrorMapping.fromStreamData(response));
    }
    List<ObjectNode> out = new ArrayList<>(2);
    if (!started) {
      started = true;
      ObjectNode delta = JSON.objectNode().put("role", "assistant").put("content", "");
      delta.putNull("refusal");
      out.add(ChatCompletionShapes.chunk(context, delta, null));
    }
    if (response.path("usageMetadata").isObject()) {
      usageMetadata = response.get("usageMetadata");
    }
    JsonNode candidate = response.path("candidates").path(0);
    if (candidate.isMissingNode()) {
      if (ChatCompletionFromGenerateContent.isBlockedPrompt(response)) {
        finishReason = "content_filter";
      }
      return out;
    }
    for (JsonNode part : candidate.path("content").path("parts")) {
      if (part.path("thought").asBoolean(false)) {
        continue;
      }
      if (part.has("text")) {
        String text = part.get("text").asText();
        if (!text.isEmpty()) {
          out.add(
              ChatCompletionShapes.chunk(context, JSON.objectNode().put("content", text), null));
        }
      } else if (part.has("functionCall")) {
        functionCall(part, out);
      }
    }
    String reason = candidate.path("finishReason").asText("");
    if (!reason.isEmpty()) {
      finishReason = ChatCompletionFromGenerateContent.finishReason(reason, toolCalls > 0);
    }
    return out;
  }

  /**
   * Gemini sends a function call whole; OpenAI clients expect the call's index, id and name first
   * and its arguments after, so it is sent as two chunks.
   */
  private void functionCall(JsonNode part, List<ObjectNode> out) {
    int index = toolCalls++;
    ObjectNode call =
        ChatCompletionFromGenerateContent.toolCall(
            part, ToolCallIds.of(part.get("functionCall"), context.responseId(), index));
    String arguments = call.path("function").path("arguments").asText();
    ObjectNode head = JSON.objectNode();
    head.put("index", index);
    head.setAll(call);
    ((ObjectNode) head.get("function")).put("arguments", "");
    ObjectNode headDelta = JSON.objectNode();
    headDelta.putArray("tool_calls").add(head);
    out.add(ChatCompletionShapes.chunk(context, headDelta, null));

    ObjectNode fragment = JSON.objectNode();
    fragment.put("index", index);
    fragment.putObject("function").put("arguments", arguments);
    ObjectNode fragmentDelta = JSON.objectNode();
    fragmentDelta.putArray("tool_calls").add(fragment);
    out.add(ChatCompletionShapes.chunk(context, fragmentDelta, null));
  }

  @Override
  public List<ObjectNode> onEnd() {
    if (finishReason == null) {
      throw new UpstreamStreamException(
          new UpstreamError(
              502,
              UpstreamError.Kind.SERVER_ERROR,
              "server_error",
              "stream_truncated",
              "The Gemini stream ended before a finish reason; the answer is incomplete",
              null));
    }
    List<ObjectNode> out = new ArrayList<>(2);
    out.add(ChatCompletionShapes.chunk(context, JSON.objectNode(), finishReason));
    if (context.includeUsage()) {
      out.add(
          ChatCompletionShapes.usageChunk(
              context, ChatCompletionFromGenerateContent.usage(usageMetadata)));
    }
    return out;
  }

  @Override
  public boolean completed() {
    return finishReason != null;
  }

  private static JsonNode parse(String data) {
    try {
      JsonNode node = MAPPER.readTree(data);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (Exception e) {
      // reported below
    }
    throw new UpstreamStreamException(
        new UpstreamError(
            502,
            UpstreamError.Kind.SERVER_ERROR,
            "server_error",
            "bad_upstream_stream",
            "Gemini sent stream data that is not a JSON object",
            null));
  }
}
