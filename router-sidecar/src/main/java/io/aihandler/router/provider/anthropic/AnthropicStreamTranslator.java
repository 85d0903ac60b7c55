package io.aihandler.router.provider.anthropic;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's stream ({@code message_start}, {@code content_block_start/delta/stop}, {@code
 * message_delta}, {@code message_stop}, {@code ping}, {@code error}) as OpenAI chunks. Only {@code
 * message_stop} completes the stream: without it {@link #onEnd()} fails, so a cut stream never
 * looks like a finished answer.
 */
final class AnthropicStreamTranslator implements StreamTranslator {

  private static final ObjectMapper MAPPER = Json.mapper();

  private enum BlockKind {
    TEXT,
    TOOL_CALL,
    ANSWER,
    IGNORED
  }

  /** What an Anthropic content block index became on the OpenAI side. */
  private record Block(BlockKind kind, int toolCallIndex) {}

  private final TranslationContext context;
  private final String answerTool;
  private final Map<Integer, Block> blocks = new HashMap<>();
  private int nextToolCallIndex;
  private boolean started;
  private boolean finished;
  private boolean stopped;
  private boolean answered;
  private JsonNode startUsage = JSON.objectNode();
  private long outputTokens;

  AnthropicStreamTranslator(TranslationContext context, String answerTool) {
    this.context = context;
    this.answerTool = answerTool;
  }

  @Override
  public List<ObjectNode> onEvent(String event, String data) {
    if (data == null || data.isBlank()) {
      return List.of();
    }
    JsonNode payload = parse(data);
    String type = payload.path("type").asText(event == null ? "" : event);
    List<ObjectNode> out = new ArrayList<>(2);
    switch (type) {
      case "message_start" -> {
        JsonNode usage = payload.path("message").path("usage");
        if (usage.isObject()) {
          startUsage = usage;
          outputTokens = usage.path("output_tokens").asLong(0);
        }
        start(out);
      }
      case "content_block_start" -> {
        start(out);
        blockStart(payload.path("index").asInt(), payload.path("content_block"), out);
      }
      case "content_block_delta" -> {
        start(out);
        blockDelta(payload.path("index").asInt(), payload.path("delta"), out);
      }
      case "message_delta" -> {
        start(out);
        messageDelta(payload, out);
      }
      case "message_stop" -> {
        start(out);
        if (!finished) {
          finish(null, out);
        }
        stopped = true;
      }
      case "error" ->
          throw new UpstreamStreamException(AnthropicErrorMapping.fromStreamEvent(payload));
      default -> {
        // ping, content_block_stop and event types added later carry nothing for the client
      }
    }
    return out;
  }

  @Override
  public boolean completed() {
    return stopped;
  }

  @Override
  public List<ObjectNode> onEnd() {
    if (!stopped) {
      throw new UpstreamStreamException(
          new UpstreamError(
              502,
              UpstreamError.Kind.SERVER_ERROR,
              "server_error",
              "stream_truncated",
              "The Anthropic stream ended before message_stop; the answer is incomplete",
              null));
    }
    if (!context.includeUsage()) {
      return List.of();
    }
    ObjectNode usage = JSON.objectNode();
    usage.setAll((ObjectNode) startUsage.deepCopy());
    usage.put("output_tokens", outputTokens);
    return List.of(
        ChatCompletionShapes.usageChunk(context, ChatCompletionFromMessage.usage(usage)));
  }

  private void start(List<ObjectNode> out) {
    if (!started) {
      started = true;
      ObjectNode delta = JSON.objectNode().put("role", "assistant").put("content", "");
      delta.putNull("refusal");
      out.add(ChatCompletionShapes.chunk(context, delta, null));
    }
  }

  private void blockStart(int index, JsonNode block, List<ObjectNode> out) {
    switch (block.path("type").asText()) {
      case "text" -> {
        blocks.put(index, new Block(BlockKind.TEXT, -1));
        content(block.path("text").asText(""), out);
      }
      case "tool_use" -> {
        String name = block.path("name").asText();
        if (answerTool != null && answerTool.equals(name)) {
          blocks.put(index, new Block(BlockKind.ANSWER, -1));
          answered = true;
          return;
        }
        int toolCallIndex = nextToolCallIndex++;
        blocks.put(index, new Block(BlockKind.TOOL_CALL, toolCallIndex));
        ObjectNode call = JSON.objectNode();
        call.put("index", toolCallIndex);
        call.put("id", block.path("id").asText());
        call.put("type", "function");
        call.putObject("function").put("name", name).put("arguments", "");
        ObjectNode delta = JSON.objectNode();
        delta.putArray("tool_calls").add(call);
        out.add(ChatCompletionShapes.chunk(context, delta, null));
      }
      default -> blocks.put(index, new Block(BlockKind.IGNORED, -1));
    }
  }

  private void blockDelta(int index, JsonNode delta, List<ObjectNode> out) {
    Block block = blocks.get(index);
    if (block == null) {
      throw new UpstreamStreamException(
          new UpstreamError(
              502,
              UpstreamError.Kind.SERVER_ERROR,
              "server_error",
              "bad_upstream_stream",
              "Anthropic sent a delta for content block " + index + ", which never started",
              null));
    }
    switch (delta.path("type").asText()) {
      case "text_delta" -> {
        if (block.kind() == BlockKind.TEXT) {
          content(delta.path("text").asText(""), out);
        }
      }
      case "input_json_delta" -> {
        String fragment = delta.path("partial_json").asText("");
        if (fragment.isEmpty()) {
          return;
        }
        if (block.kind() == BlockKind.ANSWER) {
          content(fragment, out);
        } else if (block.kind() == BlockKind.TOOL_CALL) {
          ObjectNode call = JSON.objectNode();
          call.put("index", block.toolCallIndex());
          call.putObject("function").put("arguments", fragment);
          ObjectNode chunkDelta = JSON.objectNode();
          chunkDelta.putArray("tool_calls").add(call);
          out.add(ChatCompletionShapes.chunk(context, chunkDelta, null));
        }
      }
      default -> {
        // thinking, signature and citation deltas have no OpenAI counterpart
      }
    }
  }

  private void messageDelta(JsonNode payload, List<ObjectNode> out) {
    JsonNode usage = payload.path("usage");
    if (usage.has("output_tokens")) {
      outputTokens = usage.path("output_tokens").asLong();
    }
    // Newer API versions repeat the final input counts here; they supersede message_start's.
    if (usage.isObject() && usage.has("input_tokens")) {
      ObjectNode merged = ((ObjectNode) startUsage.deepCopy());
      for (String field :
          List.of("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")) {
        if (usage.hasNonNull(field)) {
          merged.put(field, usage.get(field).asLong());
        }
      }
      startUsage = merged;
    }
    String stopReason = payload.path("delta").path("stop_reason").asText(null);
    if (!finished) {
      finish(stopReason, out);
    }
  }

  private void finish(String stopReason, List<ObjectNode> out) {
    finished = true;
    String reason =
        answered
            ? ChatCompletionFromMessage.answerFinishReason(stopReason)
            : ChatCompletionFromMessage.finishReason(stopReason);
    out.add(ChatCompletionShapes.chunk(context, JSON.objectNode(), reason));
  }

  private void content(String text, List<ObjectNode> out) {
    if (!text.isEmpty()) {
      out.add(ChatCompletionShapes.chunk(context, JSON.objectNode().put("content", text), null));
    }
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
            "Anthropic sent a stream event that is not a JSON object",
            null));
  }
}
