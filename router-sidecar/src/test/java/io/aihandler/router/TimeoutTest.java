package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.ServerSentEvents;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream-idle timeout and the whole request's timeout, against upstreams that stall. Margins
 * are generous: these tests show which limit ends a request, not how fast the machine is.
 */
class TimeoutTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";

  /** How long a stalled upstream stays silent: far beyond every limit under test. */
  private static final long STALL_MS = 8_000;

  @TempDir Path dir;
  MockWebServer a;
  MockWebServer b;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    a = new MockWebServer();
    a.start();
    b = new MockWebServer();
    b.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: a, provider: openai-compatible, baseUrl: "%s", model: gpt-4o, locality: external}
              - {name: b, provider: vllm, baseUrl: "%s", model: llama-3.3-70b}
            routes:
              - name: idle
                targets: [{backend: a, priority: 0}, {backend: b, priority: 1}]
                streamIdleTimeout: 400ms
                perTryTimeout: 10s
                firstTokenTimeout: 5s
                timeout: 20s
              - name: bounded
                targets: [{backend: a, priority: 0}, {backend: b, priority: 1}]
                maxAttempts: 3
                backoff: {initial: 10ms, max: 20ms}
                perTryTimeout: 700ms
                firstTokenTimeout: 700ms
                streamIdleTimeout: 5s
                timeout: 1s
            """
                .formatted(a.url("/v1"), b.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    a.close();
    b.close();
  }

  /** Request metrics are recorded right after the response is sent: wait a moment for them. */
  private void assertMetricSoon(String line) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (!sidecar.metrics().contains(line) && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(sidecar.metrics()).contains(line);
  }

  /** A stream that sends its first events, then nothing for {@link #STALL_MS}. */
  private static MockResponse stallingStream(List<String> piecesBeforeStall) {
    StringBuilder head = new StringBuilder();
    for (String e : OpenAiFixtures.streamEvents(piecesBeforeStall, false)) {
      head.append("data: ").append(e).append("\n\n");
    }
    StringBuilder body = new StringBuilder(head);
    for (String e : OpenAiFixtures.streamEvents(List.of(" never sent"), true)) {
      body.append("data: ").append(e).append("\n\n");
    }
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "text/event-stream; charset=utf-8")
        .body(body.toString())
        .throttleBody(
            head.toString().getBytes(StandardCharsets.UTF_8).length,
            STALL_MS,
            TimeUnit.MILLISECONDS)
        .build();
  }

  @Test
  void anUpstreamThatFallsSilentMidStreamEndsInAnErrorEventWithinTheIdleTimeout() throws Exception {
    a.enqueue(stallingStream(List.of("first", " words")));

    long t0 = System.nanoTime();
    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("idle", ",\"stream\":true"));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.statusCode()).isEqualTo(200);
    List<ServerSentEvents.Event> events = ServerSentEvents.parse(r.body());
    assertThat(r.body()).contains("\"first\"").contains("\" words\"").doesNotContain("never sent");
    assertThat(r.body()).doesNotContain("[DONE]");
    ServerSentEvents.Event last = events.getLast();
    assertThat(last.event()).isEqualTo("error");
    JsonNode error = MAPPER.readTree(last.data()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("stream_idle_timeout");
    assertThat(error.path("message").asText()).contains("400 ms").contains("streamIdleTimeout");
    assertThat(tookMs)
        .as("cut by the 400ms idle timeout, long before the upstream resumes")
        .isGreaterThanOrEqualTo(400)
        .isLessThan(STALL_MS / 2);
    assertThat(b.getRequestCount()).as("no fallback after the first byte").isZero();
    assertMetricSoon(
        "aihandler_requests_total{backend=\"a\",endpoint=\"chat\",outcome=\"stream_error\",route=\"idle\",task=\"none\"} 1.0");
  }

  @Test
  void theWholeRequestIsBoundedByItsTimeoutAcrossAttemptsAndFallbacks() throws Exception {
    for (MockWebServer server : List.of(a, b)) {
      for (int i = 0; i < 3; i++) {
        server.enqueue(
            new MockResponse.Builder(
                    OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("too late", "stop")))
                .headersDelay(STALL_MS, TimeUnit.MILLISECONDS)
                .build());
      }
    }

    long t0 = System.nanoTime();
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("bounded", ""));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.statusCode()).isEqualTo(504);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("timeout_error");
    assertThat(error.path("code").asText()).isEqualTo("request_timeout");
    assertThat(error.path("message").asText())
        .contains("timeout of 1000 ms")
        .contains("(attempts: a: timeout; a: timeout)");
    // The first try ends at perTryTimeout (700ms); its retry gets only what is left of the 1s.
    assertThat(tookMs)
        .as("a 1s budget, not 2 x 700ms per try or the 8s upstream")
        .isGreaterThanOrEqualTo(1000)
        .isLessThan(STALL_MS / 2);
    assertThat(a.getRequestCount() + b.getRequestCount()).isEqualTo(2);
    assertMetricSoon(
        "aihandler_requests_total{backend=\"a\",endpoint=\"chat\",outcome=\"timeout\",route=\"bounded\",task=\"none\"} 1.0");
  }

  @Test
  void anAnswerThatTricklesInPastThePerTryTimeoutIsCutAtIt() throws Exception {
    // 512 bytes every 100 ms of a 10 KB answer: no single read waits long, so only the attempt's
    // deadline ends it. (The throttle also paces the request, which fits in the first 512 bytes.)
    String answer = OpenAiFixtures.openAiCompletion("too slow " + "and long ".repeat(1100), "stop");
    for (MockWebServer server : List.of(a, b)) {
      for (int i = 0; i < 3; i++) {
        server.enqueue(
            new MockResponse.Builder(OpenAiFixtures.ok(answer))
                .throttleBody(512, 100, TimeUnit.MILLISECONDS)
                .build());
      }
    }

    long t0 = System.nanoTime();
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("bounded", ""));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.statusCode()).isEqualTo(504);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("request_timeout");
    assertThat(error.path("message").asText()).contains("(attempts: a: timeout; a: timeout)");
    assertThat(r.body()).doesNotContain("too slow");
    assertThat(tookMs)
        .as("the 1s budget, not the 2s the answer takes to trickle in")
        .isGreaterThanOrEqualTo(1000)
        .isLessThan(1900);
  }

  @Test
  void aStreamThatKeepsTalkingPastTheRequestTimeoutIsCutWithAnErrorNamingIt() throws Exception {
    a.enqueue(stallingStream(List.of("slowly")));

    long t0 = System.nanoTime();
    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("bounded", ",\"stream\":true"));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.body()).contains("\"slowly\"").doesNotContain("[DONE]");
    ServerSentEvents.Event last = ServerSentEvents.parse(r.body()).getLast();
    assertThat(last.event()).isEqualTo("error");
    JsonNode error = MAPPER.readTree(last.data()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("request_timeout");
    assertThat(error.path("message").asText()).contains("timeout of 1000 ms");
    assertThat(tookMs).isGreaterThanOrEqualTo(1000).isLessThan(STALL_MS / 2);
    assertThat(b.getRequestCount()).isZero();
  }

  @Test
  void aStreamWhoseFirstTokenNeverComesBeforeTheRequestTimeoutGets504() throws Exception {
    for (MockWebServer server : List.of(a, b)) {
      server.enqueue(
          new MockResponse.Builder(
                  OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("late"), true)))
              .headersDelay(STALL_MS, TimeUnit.MILLISECONDS)
              .build());
    }

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("bounded", ",\"stream\":true"));

    assertThat(r.statusCode()).as("nothing was streamed yet, so a plain error").isEqualTo(504);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("request_timeout");
    assertThat(r.body()).doesNotContain("late");
  }
}
