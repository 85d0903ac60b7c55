package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.io.IOException;

/**
 * Where a streamed answer goes: the client's SSE response. Every write happens on the request's
 * thread and is bounded by the router: a write that outlasts its limit is ended by interrupting
 * that thread, which closes the client's socket. However the write fails, it must surface as an
 * {@link IOException}.
 */
public interface ChunkSink {

  /** Commits the response (status 200, event-stream headers). After this, no fallback. */
  void begin() throws IOException;

  /**
   * Sends one {@code chat.completion.chunk}. Its bytes may wait in the response's buffer until
   * {@link #flush()}, {@link #done()} or {@link #error}: the router flushes whenever the upstream
   * has no further event ready, so chunks that arrive together leave together.
   */
  void chunk(ObjectNode chunk) throws IOException;

  /**
   * Whether the sink sends chunks as the JSON they came in ({@link #chunk(byte[])}): a chat stream
   * to its client does, a sink that turns chunks into other events does not.
   */
  default boolean takesBytes() {
    return false;
  }

  /**
   * Sends one {@code chat.completion.chunk} given as its JSON on one line, buffered as {@link
   * #chunk(ObjectNode)} is. Only called when {@link #takesBytes()}.
   */
  default void chunk(byte[] json) throws IOException {
    throw new UnsupportedOperationException("this sink takes chunks as trees");
  }

  /** Sends what the chunks before it wrote and are still buffered. */
  default void flush() throws IOException {}

  /** Ends a complete stream with {@code data: [DONE]}. */
  void done() throws IOException;

  /** Ends a broken stream with an error event and no {@code [DONE]}. */
  void error(ApiException error) throws IOException;

  /**
   * Sends an SSE comment ({@code : keep-alive}) while the request is held for a backend with no
   * ready replica, committing the response first if needed: clients and proxies see bytes before
   * the first event, and no event. A sink that cannot send one does nothing.
   */
  default void keepAlive() throws IOException {}
}
