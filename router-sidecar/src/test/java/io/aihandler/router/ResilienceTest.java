package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, fallbacks, circuit breaking and timeouts against mock OpenAI and vLLM upstreams. */
class ResilienceTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";

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
    String breaker =
        "circuitBreaker: {minimumCalls: 2, windowSize: 2, failureRateThreshold: 50, openDuration: 1m}";
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: primary, provider: openai-compatible, baseUrl: "%s", model: gpt-4o, locality: external}
              - {name: local, provider: vllm, baseUrl: "%s", model: llama-3.3-70b}
            routes:
              - name: main
                targets: [{backend: primary, priority: 0}, {backend: local, priority: 1}]
                maxAttempts: 3
                backoff: {initial: 10ms, max: 50ms}
                perTryTimeout: 2s
                firstTokenTimeout: 300ms
                %s
              - name: only-primary
                targets: [{backend: primary}]
                backoff: {initial: 10ms, max: 50ms}
                %s
            """
                .formatted(a.url("/v1"), b.url("/v1"), breaker, breaker));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    a.close();
    b.close();
  }

  @Test
  void rateLimitIsRetriedAfterRetryAfter() throws Exception {
    a.enqueue(
        new MockResponse.Builder(
                OpenAiFixtures.openAiError(
                    429,
                    "tokens",
                    "rate_limit_exceeded",
                    "Rate limit reached for gpt-4o on tokens per min (TPM). Please try again in 1s."))
            .addHeader("retry-after", "1")
            .build());
    a.enqueue(ok(openAiCompletion("after the wait", "stop")));

    long t0 = System.nanoTime();
    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("only-primary", ""));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("after the wait");
    assertThat(a.getRequestCount()).isEqualTo(2);
    assertThat(waited)
        .as("the retry waited for Retry-After, not the 10ms backoff")
        .isGreaterThanOrEqualTo(950);
    assertThat(sidecar.metrics())
        .contains("aihandler_retries_total{backend=\"primary\",reason=\"rateLimited\"} 1.0");
  }

  @Test
  void serverErrorsAreRetriedThenFallBackToTheNextTarget() throws Exception {
    a.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "The server had an error"));
    a.enqueue(
        OpenAiFixtures.openAiError(
            503, "server_error", null, "The engine is currently overloaded"));
    b.enqueue(ok(vllmCompletion("from llama", "stop")));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("from llama");
    assertThat(a.getRequestCount()).isEqualTo(2);
    assertThat(b.getRequestCount()).isEqualTo(1);
    assertThat(MAPPER.readTree(b.takeRequest().getBody().utf8()).path("model").asText())
        .isEqualTo("llama-3.3-70b");
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_fallbacks_total{backend=\"primary\",reason=\"serverError\",route=\"main\",task=\"none\"} 1.0");
  }

  @Test
  void aClientErrorIsReturnedAsIsAndNeverFallsBack() throws Exception {
    a.enqueue(
        OpenAiFixtures.openAiError(
            400,
            "invalid_request_error",
            "context_length_exceeded",
            "This model's maximum context length is 128000 tokens."));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
        .isEqualTo("context_length_exceeded");
    assertThat(b.getRequestCount()).isZero();
  }

  @Test
  void theCircuitOpensIsVisibleAndStopsTraffic() throws Exception {
    for (int i = 0; i < 2; i++) {
      a.enqueue(OpenAiFixtures.openAiError(503, "server_error", null, "overloaded"));
    }
    HttpResponse<String> first =
        sidecar.post("/v1/chat/completions", CHAT.formatted("only-primary", ""));
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(a.getRequestCount()).isEqualTo(2);

    HttpResponse<String> ready = sidecar.get("/readyz");
    assertThat(
            MAPPER.readTree(ready.body()).path("backends").path("primary").path("circuit").asText())
        .isEqualTo("OPEN");
    assertThat(sidecar.metrics()).contains("aihandler_circuit_state{backend=\"primary\"} 1.0");

    HttpResponse<String> blocked =
        sidecar.post("/v1/chat/completions", CHAT.formatted("only-primary", ""));
    assertThat(blocked.statusCode()).isEqualTo(503);
    assertThat(MAPPER.readTree(blocked.body()).path("error").path("message").asText())
        .contains("circuit");
    assertThat(a.getRequestCount()).as("an open circuit sends nothing").isEqualTo(2);

    b.enqueue(ok(vllmCompletion("served by the fallback", "stop")));
    HttpResponse<String> routed = sidecar.post("/v1/chat/completions", CHAT.formatted("main", ""));
    assertThat(routed.body()).contains("served by the fallback");
    assertThat(a.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aStreamFallsBackWhenNothingReachedTheClientYet() throws Exception {
    a.enqueue(OpenAiFixtures.openAiError(502, "server_error", null, "Bad gateway"));
    a.enqueue(OpenAiFixtures.openAiError(502, "server_error", null, "Bad gateway"));
    b.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("fall", "back"), true)));

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("main", ",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"fall\"").contains("\"back\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void aStreamCutUpstreamEndsWithAnErrorEventAndNoDone() throws Exception {
    a.enqueue(
        OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("partial", " answer"), false)));

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("main", ",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"partial\"");
    assertThat(r.body()).contains("event: error\ndata: {\"error\"");
    assertThat(r.body()).doesNotContain("[DONE]");
    assertThat(b.getRequestCount()).as("no fallback after the first byte").isZero();
  }

  @Test
  void aSlowFirstTokenTimesOutAndFallsBack() throws Exception {
    a.enqueue(
        new MockResponse.Builder(
                OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("late"), true)))
            .headersDelay(1500, TimeUnit.MILLISECONDS)
            .build());
    b.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("quick"), true)));

    HttpResponse<String> r =
        sidecar.post("/v1/chat/completions", CHAT.formatted("main", ",\"stream\":true"));

    assertThat(r.body()).contains("\"quick\"").doesNotContain("late").endsWith("data: [DONE]\n\n");
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_fallbacks_total{backend=\"primary\",reason=\"timeout\",route=\"main\",task=\"none\"} 1.0");
  }
}
