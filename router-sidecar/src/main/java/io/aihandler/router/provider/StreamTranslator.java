package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.upstream.SseEventReader;
import java.util.List;

/**
 * Turns one upstream server-sent-event stream into OpenAI {@code chat.completion.chunk} objects.
 * Stateful and single-use: one instance per upstream stream.
 */
public interface StreamTranslator {

  /**
   * One upstream SSE event in ({@code event} is null when the stream has no event names, as with
   * OpenAI and Gemini); zero or more OpenAI chunks out, in order.
   *
   * @throws UpstreamStreamException when the event is an in-band error (e.g. Anthropic's {@code
   *     overloaded_error} after HTTP 200) or cannot be parsed
   */
  List<ObjectNode> onEvent(String event, String data);

  /**
   * One upstream event passed through as bytes, where its chunk needs no translation: the same
   * chunk {@link #onEvent} would give, written as the upstream wrote it but for the fields the
   * sidecar owns. Null when this event must go through {@link #onEvent} instead (a translator that
   * translates always returns null).
   *
   * @param keepUsage whether the client asked for usage: otherwise a chunk's {@code usage} is left
   *     out, and a chunk that carries nothing else is not sent
   * @throws UpstreamStreamException as {@link #onEvent} would
   */
  default PassedChunk pass(SseEventReader.Event event, boolean keepUsage) {
    return null;
  }

  /**
   * The upstream stream ended. Returns the last chunks (the usage chunk when the request asked for
   * {@code stream_options.include_usage}).
   *
   * @throws UpstreamStreamException when the stream ended before the provider said it was complete
   *     (a cut stream must never look like a clean end)
   */
  List<ObjectNode> onEnd();

  /**
   * Whether the provider's terminal event arrived ({@code [DONE]}, Anthropic's {@code
   * message_stop}, Gemini's candidate with a {@code finishReason}). A stream whose connection then
   * closes is complete: close-delimited bodies end that way.
   */
  boolean completed();
}
