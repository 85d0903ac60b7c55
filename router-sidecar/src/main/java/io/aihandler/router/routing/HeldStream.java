package io.aihandler.router.routing;

import io.aihandler.router.ApiException;
import io.aihandler.router.runtime.ColdCapacity;
import java.io.IOException;

/**
 * A stream's keep-alives while it is held. Once one is sent the response is committed, so an error
 * that follows goes to the client as the stream's error event.
 */
final class HeldStream implements ColdCapacity.KeepAlive {
  private final ChunkSink sink;
  private boolean sent;

  HeldStream(ChunkSink sink) {
    this.sink = sink;
  }

  @Override
  public void send() throws IOException {
    sent = true;
    sink.keepAlive();
  }

  /** Whether a keep-alive was sent, or tried: the response is then committed. */
  boolean sent() {
    return sent;
  }

  /** The request failed with {@code e}: after a keep-alive, the stream ends with it. */
  void failed(ApiException e, CallRecord record) {
    if (!sent || record.outcome == Outcome.CLIENT_CLOSED) {
      return;
    }
    try {
      sink.begin();
      sink.error(e);
    } catch (IOException clientGone) {
      record.outcome = Outcome.CLIENT_CLOSED;
    }
  }
}
