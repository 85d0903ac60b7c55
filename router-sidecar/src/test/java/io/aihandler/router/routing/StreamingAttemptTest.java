package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.config.Provider;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.ProviderPayloads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One streaming attempt against a mock backend. */
class StreamingAttemptTest {

  MockWebServer server;
  AttemptFixture f;
  StreamingAttempt attempt;

  private void start(Provider provider, String base, String idle) throws Exception {
    f = new AttemptFixture(provider, base, idle, true);
    attempt = new StreamingAttempt(f.upstream, f.credentials, f.health, f.metrics, f.usage);
  }

  private void startVllm(String idle) throws Exception {
    server = new MockWebServer();
    server.start();
    start(Provider.VLLM, server.url("/v1").toString(), idle);
  }

  @AfterEach
  void stop() {
    f.close();
    server.close();
  }

  private AttemptResult run(ChunkSink sink) {
    try (BackendAdmission.Permit p = f.permit()) {
      return attempt.run(
          f.backend,
          f.outgoing(),
          f.context(),
          f.deadline(),
          f.call,
          f.record,
          p,
          sink,
          AttemptFixture.SMALL_LIMITS);
    }
  }

  private static String sse(List<String> events) {
    StringBuilder b = new StringBuilder();
    events.forEach(e -> b.append("data: ").append(e).append("\n\n"));
    return b.toString();
  }

  @Test
  void aCloseDelimitedGeminiStreamEndsWithItsFinishChunk() throws Exception {
    server = new MockWebServer();
    server.start();
    start(Provider.GEMINI, server.url("/").toString().replaceAll("/$", ""), "5s");
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "text/event-stream")
            .body(ProviderPayloads.text("gemini", "stream-text.sse"))
            .removeHeader("Content-Length")
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    AttemptFixture.RecordingSink sink = new AttemptFixture.RecordingSink();

    AttemptResult r = run(sink);

    assertThat(r).isInstanceOf(AttemptResult.Streamed.class);
    assertThat(sink.done).isTrue();
    ObjectNode last = sink.chunks.getLast();
    assertThat(last.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(f.backend.breaker().getMetrics().getNumberOfSuccessfulCalls()).isOne();
  }

  @Test
  void anEventOverTheLimitBeforeTheFirstByteFailsAndMayFallBack() throws Exception {
    startVllm("5s");
    server.enqueue(OpenAiFixtures.sse(List.of("{\"pad\":\"" + "x".repeat(40_000) + "\"}")));
    AttemptFixture.RecordingSink sink = new AttemptFixture.RecordingSink();

    AttemptResult.Failed r = (AttemptResult.Failed) run(sink);

    assertThat(r.error().code()).isEqualTo("upstream_event_too_large");
    assertThat(r.afterFirstByte()).isFalse();
    assertThat(sink.begun).isFalse();
    assertThat(f.backend.breaker().getMetrics().getNumberOfFailedCalls()).isOne();
  }

  @Test
  void aClientThatStopsTakingChunksIsCutOffAtTheIdleLimitAndTheUpstreamCancelled()
      throws Exception {
    startVllm("300ms");
    String body = sse(OpenAiFixtures.streamEvents(List.of("one", "two", "three"), true));
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "text/event-stream")
            .body(body)
            .throttleBody(64, 20, TimeUnit.MILLISECONDS)
            .build());
    // Blocks in its second write as a socket write to a client that stopped reading would; an
    // interrupt ends it with an I/O error, as it closes a real socket.
    AttemptFixture.RecordingSink stalled =
        new AttemptFixture.RecordingSink() {
          @Override
          public void chunk(ObjectNode chunk) throws IOException {
            super.chunk(chunk);
            if (chunks.size() == 2) {
              try {
                Thread.sleep(10_000);
              } catch (InterruptedException e) {
                throw new InterruptedIOException("the write was interrupted");
              }
            }
          }
        };

    long t0 = System.nanoTime();
    AttemptResult r = run(stalled);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r).isEqualTo(new AttemptResult.ClientGone(Outcome.CLIENT_CLOSED));
    assertThat(tookMs).isBetween(250L, 3_000L);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(f.backend.breaker().getMetrics().getNumberOfBufferedCalls())
        .as("neither for nor against the backend")
        .isZero();
  }

  @Test
  void aRedirectIsRefused() throws Exception {
    startVllm("5s");
    server.enqueue(
        new MockResponse.Builder().code(302).addHeader("location", "http://x.example/").build());

    AttemptResult.Failed r = (AttemptResult.Failed) run(new AttemptFixture.RecordingSink());

    assertThat(r.error().code()).isEqualTo("upstream_redirect");
  }

  @Test
  void aCloseDelimitedStreamThatFallsSilentIsCutAtTheIdleLimitOnAVirtualThread() throws Exception {
    startVllm("300ms");
    String head = sse(OpenAiFixtures.streamEvents(List.of("first"), false));
    String body = head + sse(OpenAiFixtures.streamEvents(List.of(" never"), true));
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "text/event-stream")
            .body(body)
            .removeHeader("Content-Length")
            .throttleBody(head.length(), 8, TimeUnit.SECONDS)
            .build());
    AttemptFixture.RecordingSink sink = new AttemptFixture.RecordingSink();
    java.util.concurrent.CompletableFuture<Object[]> done =
        new java.util.concurrent.CompletableFuture<>();

    long t0 = System.nanoTime();
    Thread.ofVirtual()
        .start(
            () -> {
              AttemptResult r = run(sink);
              done.complete(new Object[] {r, Thread.currentThread().isInterrupted()});
            });
    Object[] outcome = done.get(5, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    AttemptResult.Failed f = (AttemptResult.Failed) outcome[0];
    assertThat(f.error().code()).isEqualTo("stream_idle_timeout");
    assertThat(f.afterFirstByte()).isTrue();
    assertThat(sink.error).isNotNull();
    assertThat(outcome[1]).as("the interrupt was cleared").isEqualTo(false);
    assertThat(tookMs).isBetween(250L, 3_000L);
  }

  /**
   * Records what the router asks of the sink, in order, with the time of each flush that sends
   * something (as the client's sink does, a flush with nothing new written sends nothing).
   */
  private static final class FlushLog extends AttemptFixture.RecordingSink {
    final List<String> calls = new java.util.ArrayList<>();
    final List<Long> flushedAtMs = new java.util.ArrayList<>();
    final long t0 = System.nanoTime();
    boolean unflushed;

    @Override
    public void chunk(ObjectNode chunk) throws IOException {
      super.chunk(chunk);
      calls.add("chunk");
      unflushed = true;
    }

    @Override
    public void flush() {
      if (unflushed) {
        calls.add("flush");
        flushedAtMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        unflushed = false;
      }
    }

    @Override
    public void done() {
      super.done();
      calls.add("done");
    }
  }

  @Test
  void eventsThatArriveTogetherAreSentInOneFlush() throws Exception {
    startVllm("5s");
    server.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("a", "b", "c"), true)));
    FlushLog sink = new FlushLog();

    assertThat(run(sink)).isInstanceOf(AttemptResult.Streamed.class);

    // role, three pieces, the finish chunk (the usage chunk is not asked for), then [DONE]
    assertThat(sink.calls)
        .containsExactly("chunk", "chunk", "chunk", "chunk", "chunk", "flush", "done");
  }

  @Test
  void whatWasWrittenIsFlushedBeforeTheRouterWaitsForTheUpstream() throws Exception {
    startVllm("5s");
    String head = sse(OpenAiFixtures.streamEvents(List.of("first"), false));
    String body = head + sse(OpenAiFixtures.streamEvents(List.of(" second"), true));
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "text/event-stream")
            .body(body)
            .throttleBody(head.length(), 1500, TimeUnit.MILLISECONDS)
            .build());
    FlushLog sink = new FlushLog();

    assertThat(run(sink)).isInstanceOf(AttemptResult.Streamed.class);

    assertThat(sink.calls.subList(0, 3))
        .as("the head's two chunks are sent while the rest of the stream is awaited")
        .containsExactly("chunk", "chunk", "flush");
    assertThat(sink.flushedAtMs.getFirst()).isLessThan(1_000L);
    assertThat(sink.calls.getLast()).isEqualTo("done");
  }
}
