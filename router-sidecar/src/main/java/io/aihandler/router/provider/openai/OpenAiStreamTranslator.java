package io.aihandler.router.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.PassedChunk;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.runtime.Json;
import io.aihandler.router.upstream.SseEventReader;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Passes OpenAI {@code chat.completion.chunk}s through with the sidecar's id and model, drops the
 * usage chunk the client did not ask for, and insists on {@code [DONE]}. A chunk of the usual shape
 * passes as its own bytes ({@link ChunkPassThrough}); any other goes through a tree.
 */
final class OpenAiStreamTranslator implements StreamTranslator {

  private static final ObjectMapper MAPPER = Json.mapper();

  private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

  private final TranslationContext context;
  private final ChunkPassThrough passThrough;
  private final ChunkPassThrough.Scan scan = new ChunkPassThrough.Scan();
  private boolean done;
  private boolean finished;

  OpenAiStreamTranslator(TranslationContext context) {
    this.context = context;
    this.passThrough =
        new ChunkPassThrough(
            context.responseId(), context.createdEpochSeconds(), context.responseModel());
  }

  @Override
  public PassedChunk pass(SseEventReader.Event event, boolean keepUsage) {
    byte[] data = event.dataBytes();
    if (!event.oneLine() || data.length == 0) {
      return null;
    }
    if (Arrays.equals(data, DONE)) {
      done = true;
      return PassedChunk.NOTHING;
    }
    PassedChunk chunk;
    scan.carriesContent = false;
    try {
      chunk = passThrough.pass(data, keepUsage && context.includeUsage(), scan);
    } catch (IOException notJson) {
      throw broken("the upstream sent an event that is not JSON");
    }
    if (chunk != null && scan.finishes) {
      finished = true;
    }
    return chunk;
  }

  @Override
  public List<ObjectNode> onEvent(String event, String data) {
    if (data == null || data.isEmpty()) {
      return List.of();
    }
    if ("[DONE]".equals(data.trim())) {
      done = true;
      return List.of();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(data);
    } catch (JsonProcessingException e) {
      throw broken("the upstream sent an event that is not JSON");
    }
    if (node.has("error")) {
      JsonNode err = node.get("error");
      throw new UpstreamStreamException(
          new UpstreamError(
              502,
              UpstreamError.Kind.SERVER_ERROR,
              "server_error",
              err.path("code").isNull() ? null : err.path("code").asText(null),
              err.path("message").asText("the upstream reported an error mid-stream"),
              null));
    }
    if (!node.isObject()) {
      throw broken("the upstream sent an event that is not a chunk");
    }
    ObjectNode chunk = (ObjectNode) node;
    JsonNode choices = chunk.path("choices");
    for (JsonNode choice : choices) {
      if (choice.hasNonNull("finish_reason")) {
        finished = true;
      }
    }
    boolean usageOnly = choices.isArray() && choices.isEmpty() && chunk.has("usage");
    if (usageOnly && !context.includeUsage()) {
      return List.of();
    }
    if (!context.includeUsage()) {
      chunk.remove("usage");
    }
    return List.of(rewrite(chunk));
  }

  private ObjectNode rewrite(ObjectNode chunk) {
    chunk.put("id", context.responseId());
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", context.createdEpochSeconds());
    chunk.put("model", context.responseModel());
    return chunk;
  }

  @Override
  public List<ObjectNode> onEnd() {
    if (!done) {
      throw broken(
          finished
              ? "the upstream stream ended without [DONE]"
              : "the upstream stream ended before the answer was complete");
    }
    return List.of();
  }

  @Override
  public boolean completed() {
    return done;
  }

  private static UpstreamStreamException broken(String message) {
    return new UpstreamStreamException(
        new UpstreamError(
            502, UpstreamError.Kind.SERVER_ERROR, "server_error", null, message, null));
  }
}
