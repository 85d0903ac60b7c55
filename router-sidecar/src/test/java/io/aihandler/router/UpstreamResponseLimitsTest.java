package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.ServerSentEvents;
import io.aihandler.router.testing.Sidecar;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every upstream read is bounded: whole answers, error bodies and server-sent events larger than
 * their limit end the attempt with a clear 502 and close the connection instead of filling the
 * heap; redirects are never followed nor passed on.
 */
class UpstreamResponseLimitsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";
  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;
  MockWebServer upstream;
  Sidecar sidecar;

  private void start(String sidecarSettings) throws Exception {
    upstream = new MockWebServer();
    upstream.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            %s
            backends:
              - {name: llama, provider: vllm, baseUrl: "%s", model: llama}
            routes:
              - name: main
                targets: [{backend: llama}]
                maxAttempts: 1
                circuitBreaker: {minimumCalls: 2, windowSize: 2, failureRateThreshold: 50, openDuration: 1m}
            """
                .formatted(sidecarSettings, upstream.url("/v1")));
  }

  private void startWithLowLimits() throws Exception {
    start(
        "sidecar: {maxUpstreamResponseBytes: 65536, maxUpstreamErrorBytes: 4096, maxSseEventBytes: 16384}");
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * A body of about {@code size} bytes made while it is written (head, a repeated unit, tail),
   * counting what reached the socket: a reader that stops early leaves most of it unwritten.
   */
  private static final class GeneratedBody implements MockResponseBody {
    private final byte[] head;
    private final byte[] unit;
    private final byte[] tail;
    private final long units;
    final AtomicLong written = new AtomicLong();

    GeneratedBody(String head, String unit, String tail, long size) {
      this.head = head.getBytes(StandardCharsets.UTF_8);
      this.unit = unit.getBytes(StandardCharsets.UTF_8);
      this.tail = tail.getBytes(StandardCharsets.UTF_8);
      this.units = (size - this.head.length - this.tail.length) / this.unit.length;
    }

    @Override
    public long getContentLength() {
      return head.length + units * unit.length + tail.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(head);
      written.addAndGet(head.length);
      int perBlock = Math.max(1, 64 * 1024 / unit.length);
      byte[] block = new byte[perBlock * unit.length];
      for (int i = 0; i < perBlock; i++) {
        System.arraycopy(unit, 0, block, i * unit.length, unit.length);
      }
      for (long left = units; left > 0; left -= perBlock) {
        int n = (int) Math.min(perBlock, left) * unit.length;
        sink.write(block, 0, n);
        sink.flush();
        written.addAndGet(n);
      }
      sink.write(tail);
      sink.flush();
      written.addAndGet(tail.length);
    }
  }

  private static GeneratedBody hugeCompletion(long size) {
    String completion = OpenAiFixtures.vllmCompletion("@", "stop");
    int at = completion.indexOf('@');
    return new GeneratedBody(completion.substring(0, at), "a", completion.substring(at + 1), size);
  }

  private MockResponse serve(int status, String contentType, GeneratedBody body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("content-type", contentType)
        .body(body)
        .build();
  }

  private static JsonNode error(String body) throws IOException {
    return MAPPER.readTree(body).path("error");
  }

  private void assertMetricSoon(String line) throws InterruptedException {
    long until = System.nanoTime() + 2_000_000_000L;
    while (!sidecar.metrics().contains(line) && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(sidecar.metrics()).contains(line);
  }

  @Test
  void aWholeAnswerLargerThanTheLimitIs502AndCountsAgainstTheCircuit() throws Exception {
    startWithLowLimits();
    GeneratedBody first = hugeCompletion(64 * MIB);
    upstream.enqueue(serve(200, "application/json", first));
    upstream.enqueue(serve(200, "application/json", hugeCompletion(64 * MIB)));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));

    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode error = error(r.body());
    assertThat(error.path("code").asText()).isEqualTo("upstream_response_too_large");
    assertThat(error.path("message").asText()).contains("llama").contains("65536");
    assertThat(first.written.get())
        .as("the connection was closed, not drained")
        .isLessThan(32 * MIB);
    assertMetricSoon(
        "aihandler_upstream_duration_seconds_count{backend=\"llama\",outcome=\"response_too_large\"} 1");

    sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));
    assertThat(
            MAPPER
                .readTree(sidecar.get("/readyz").body())
                .path("backends")
                .path("llama")
                .path("circuit")
                .asText())
        .isEqualTo("OPEN");
  }

  @Test
  void anErrorBodyIsReadOnlyUpToItsLimitAndStillClassified() throws Exception {
    startWithLowLimits();
    GeneratedBody body = new GeneratedBody("{\"error\":{\"message\":\"", "x", "\"}}", 64 * MIB);
    upstream.enqueue(serve(500, "application/json", body));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r.body()).path("message").asText()).contains("HTTP 500");
    assertThat(body.written.get()).as("the error body was not read whole").isLessThan(32 * MIB);
  }

  @Test
  void aStreamingErrorBodyIsReadOnlyUpToItsLimit() throws Exception {
    startWithLowLimits();
    GeneratedBody body = new GeneratedBody("{\"error\":{\"message\":\"", "x", "\"}}", 64 * MIB);
    upstream.enqueue(serve(503, "application/json", body));

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("main", ",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(body.written.get()).isLessThan(32 * MIB);
  }

  @Test
  void aWholeAnswerOfTwoHundredMegabytesIsRefusedAtTheDefaultLimit() throws Exception {
    start("");
    GeneratedBody body = hugeCompletion(200 * MIB);
    upstream.enqueue(serve(200, "application/json", body));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));

    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode error = error(r.body());
    assertThat(error.path("code").asText()).isEqualTo("upstream_response_too_large");
    assertThat(error.path("message").asText()).contains(String.valueOf(MIB));
    assertThat(body.written.get()).isLessThan(100 * MIB);
  }

  @Test
  void aServerSentEventLargerThanTheLimitBeforeTheFirstByteIs502() throws Exception {
    startWithLowLimits();
    GeneratedBody body = new GeneratedBody("data: {\"x\":\"", "a", "\"}\n\n", 8 * MIB);
    upstream.enqueue(serve(200, "text/event-stream", body));

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("main", ",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode error = error(r.body());
    assertThat(error.path("code").asText()).isEqualTo("upstream_event_too_large");
    assertThat(error.path("message").asText()).contains("llama").contains("16384");
    assertThat(body.written.get()).isLessThan(8 * MIB);
    assertMetricSoon(
        "aihandler_upstream_duration_seconds_count{backend=\"llama\",outcome=\"event_too_large\"} 1");
  }

  @Test
  void dataLinesWithoutABlankLineAfterTheFirstByteEndInAnErrorEvent() throws Exception {
    startWithLowLimits();
    StringBuilder head = new StringBuilder();
    for (String e : OpenAiFixtures.streamEvents(List.of("partial"), false)) {
      head.append("data: ").append(e).append("\n\n");
    }
    // Short data lines, never a blank line: each line is small, the event they make is not.
    GeneratedBody body =
        new GeneratedBody(head.toString(), "data: 0123456789abcdef\n", "\n", 8 * MIB);
    upstream.enqueue(serve(200, "text/event-stream", body));

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("main", ",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"partial\"").doesNotContain("[DONE]");
    ServerSentEvents.Event last = ServerSentEvents.parse(r.body()).getLast();
    assertThat(last.event()).isEqualTo("error");
    assertThat(MAPPER.readTree(last.data()).path("error").path("code").asText())
        .isEqualTo("upstream_event_too_large");
  }

  @Test
  void aRedirectIsNeitherFollowedNorPassedOn() throws Exception {
    startWithLowLimits();
    upstream.enqueue(
        new MockResponse.Builder()
            .code(307)
            .addHeader("location", "https://elsewhere.example/v1/chat/completions?key=sk-leak-123")
            .build());

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));

    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode error = error(r.body());
    assertThat(error.path("code").asText()).isEqualTo("upstream_redirect");
    assertThat(error.path("message").asText())
        .contains("llama")
        .doesNotContain("sk-leak")
        .doesNotContain("key=");
    assertThat(upstream.getRequestCount()).isEqualTo(1);
  }
}
