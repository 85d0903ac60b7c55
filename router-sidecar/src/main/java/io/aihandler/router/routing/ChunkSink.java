package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.io.IOException;

/** Where a streamed answer goes: the client's SSE response. */
public interface ChunkSink {

  /** Commits the response (status 200, event-stream headers). After this, no fallback. */
  void begin() throws IOException;

  /** Sends one {@code chat.completion.chunk}. */
  void chunk(ObjectNode chunk) throws IOException;

  /** Ends a complete stream with {@code data: [DONE]}. */
  void done() throws IOException;

  /** Ends a broken stream with an error event and no {@code [DONE]}. */
  void error(ApiException error) throws IOException;
}
