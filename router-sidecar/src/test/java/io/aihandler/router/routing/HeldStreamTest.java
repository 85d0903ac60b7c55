package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A held stream's keep-alives, and its error once one committed the response. */
class HeldStreamTest {

  private static final class Sink implements ChunkSink {
    final List<String> calls = new ArrayList<>();
    boolean gone;

    @Override
    public void begin() {
      calls.add("begin");
    }

    @Override
    public void chunk(ObjectNode chunk) {
      calls.add("chunk");
    }

    @Override
    public void done() {
      calls.add("done");
    }

    @Override
    public void error(ApiException error) throws IOException {
      if (gone) {
        throw new IOException("the client closed the connection");
      }
      calls.add("error " + error.code());
    }

    @Override
    public void keepAlive() {
      calls.add("keep-alive");
    }
  }

  private static final ApiException TIMEOUT =
      new ApiException(503, "server_error", "cold_start_timeout", "m");

  @Test
  void withoutAKeepAliveTheErrorIsLeftToTheServerAsAPlainHttpError() {
    Sink sink = new Sink();
    new HeldStream(sink).failed(TIMEOUT, new CallRecord());
    assertThat(sink.calls).isEmpty();
  }

  @Test
  void afterAKeepAliveTheErrorEndsTheStream() throws Exception {
    Sink sink = new Sink();
    HeldStream held = new HeldStream(sink);
    held.send();
    held.send();
    held.failed(TIMEOUT, new CallRecord());
    assertThat(sink.calls)
        .containsExactly("keep-alive", "keep-alive", "begin", "error cold_start_timeout");
  }

  @Test
  void aClientThatLeftGetsNoErrorAndOneThatLeavesIsRecordedSo() throws Exception {
    Sink sink = new Sink();
    HeldStream held = new HeldStream(sink);
    held.send();
    CallRecord left = new CallRecord();
    left.outcome = Outcome.CLIENT_CLOSED;
    held.failed(TIMEOUT, left);
    assertThat(sink.calls).containsExactly("keep-alive");

    sink.gone = true;
    CallRecord leaving = new CallRecord();
    held.failed(TIMEOUT, leaving);
    assertThat(leaving.outcome()).isEqualTo(Outcome.CLIENT_CLOSED);
  }
}
