package io.aihandler.router.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Where a streamed response's events go: the client's server-sent-event stream, one {@code event:
 * <type>} and {@code data: <json>} per event. A client that went away surfaces as an {@link
 * IOException}.
 */
public interface ResponseEventWriter {

  /** Commits the response (status 200, event-stream headers). */
  void begin() throws IOException;

  /** Sends one event; its bytes may wait in the response's buffer until {@link #flush()}. */
  void event(String type, ObjectNode data) throws IOException;

  /** Sends the events still buffered. */
  default void flush() throws IOException {}

  /** Ends the stream. Responses streams have no {@code [DONE]} line. */
  void end() throws IOException;

  /** Sends an SSE comment that is no event, committing the response first if needed. */
  default void keepAlive() throws IOException {}
}
