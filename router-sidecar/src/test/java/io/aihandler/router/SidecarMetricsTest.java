package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /metrics} page of a real sidecar, scraped from its management port after real calls:
 * latency histograms with their documented buckets, time to first token for streams only, the
 * circuit's open gauge, and labels that never carry a name the request made up.
 */
class SidecarMetricsTest {

  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer openai;
  MockWebServer flaky;
  Sidecar sidecar;
  OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    flaky = new MockWebServer();
    flaky.start();
    sidecar =
        new Sidecar(
            dir,
            """
            backends:
              - {name: gpt-4o, provider: openai, baseUrl: "%s", model: gpt-4o, credentials: {env: OPENAI_API_KEY}}
              - {name: flaky, provider: openai-compatible, baseUrl: "%s", model: llama}
            routes:
              - name: chat
                targets: [{backend: gpt-4o}]
              - name: flaky-only
                targets: [{backend: flaky}]
                backoff: {initial: 10ms, max: 50ms}
                circuitBreaker: {minimumCalls: 2, windowSize: 2, failureRateThreshold: 50, openDuration: 1m}
            tasks:
              - name: summarize
                route: chat
            """
                .formatted(openai.url("/v1"), flaky.url("/v1")),
            Map.of("OPENAI_API_KEY", "sk-test-key-0123456789"));
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.baseUrl() + "/v1")
            .apiKey("not-the-upstream-key")
            .maxRetries(0)
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    sidecar.close();
    openai.close();
    flaky.close();
  }

  @Test
  void aUnaryCallFillsTheRequestHistogramButHasNoTimeToFirstToken() throws Exception {
    openai.enqueue(ok(openAiCompletion("Hello", "stop")));
    openai.enqueue(ok(openAiCompletion("Hello", "stop")));

    for (int i = 0; i < 2; i++) {
      assertThat(sidecar.post("/v1/chat/completions", CHAT.formatted("chat")).statusCode())
          .isEqualTo(200);
    }

    // A request is counted, then timed, then its overhead timed, after its answer has gone: the
    // last of them says the scrape sees all three.
    String page =
        awaitScrape("aihandler_overhead_duration_seconds_bucket{endpoint=\"chat\",le=\"+Inf\"} 2");
    String series = "endpoint=\"chat\",outcome=\"success\",route=\"chat\",task=\"none\"";
    assertThat(page)
        .contains(
            "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"success\",route=\"chat\",task=\"none\"} 2.0")
        .contains("aihandler_request_duration_seconds_bucket{" + series + ",le=\"+Inf\"} 2")
        .contains("aihandler_request_duration_seconds_count{" + series + "} 2")
        .contains("aihandler_request_duration_seconds_bucket{" + series + ",le=\"0.005\"} ")
        .contains("aihandler_request_duration_seconds_bucket{" + series + ",le=\"600.0\"} 2")
        .contains(
            "aihandler_upstream_duration_seconds_bucket{backend=\"gpt-4o\",outcome=\"ok\",le=\"+Inf\"} 2")
        .contains("aihandler_overhead_duration_seconds_bucket{endpoint=\"chat\",le=\"5.0E-5\"} ")
        .contains("aihandler_overhead_duration_seconds_bucket{endpoint=\"chat\",le=\"+Inf\"} 2")
        .doesNotContain("aihandler_time_to_first_token_seconds")
        .doesNotContain("aihandler_time_between_tokens_seconds");
  }

  @Test
  void aStreamRecordsItsFirstTokenAndEachGapUnderItsTask() throws Exception {
    openai.enqueue(
        OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hel", "lo", " world"), true)));

    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s =
        client
            .chat()
            .completions()
            .createStreaming(
                ChatCompletionCreateParams.builder()
                    .model("summarize")
                    .addUserMessage("Say hello world")
                    .build())) {
      s.stream()
          .forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text.toString()).isEqualTo("Hello world");

    String page =
        awaitScrape(
            "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"success\",route=\"chat\",task=\"summarize\"} 1.0");
    String stream = "backend=\"gpt-4o\",route=\"chat\",task=\"summarize\"";
    // The role-only opening chunk is no token: three content chunks, one first token, two gaps.
    assertThat(page)
        .contains("aihandler_time_to_first_token_seconds_count{" + stream + "} 1")
        .contains("aihandler_time_to_first_token_seconds_bucket{" + stream + ",le=\"0.01\"} ")
        .contains("aihandler_time_to_first_token_seconds_bucket{" + stream + ",le=\"120.0\"} 1")
        .contains("aihandler_time_to_first_token_seconds_bucket{" + stream + ",le=\"+Inf\"} 1")
        .contains("aihandler_time_between_tokens_seconds_count{" + stream + "} 2")
        .contains("aihandler_time_between_tokens_seconds_bucket{" + stream + ",le=\"0.001\"} ")
        .contains("aihandler_time_between_tokens_seconds_bucket{" + stream + ",le=\"+Inf\"} 2")
        .contains(
            "aihandler_request_duration_seconds_bucket{endpoint=\"chat\",outcome=\"success\",route=\"chat\",task=\"summarize\",le=\"+Inf\"} 1")
        .contains(
            "aihandler_tokens_total{backend=\"gpt-4o\",direction=\"output\",task=\"summarize\"} 3.0");
    assertThat(sum(page, "aihandler_time_to_first_token_seconds_sum{" + stream + "}"))
        .isLessThanOrEqualTo(
            sum(
                page,
                "aihandler_request_duration_seconds_sum{endpoint=\"chat\",outcome=\"success\",route=\"chat\",task=\"summarize\"}"));
  }

  @Test
  void theOpenGaugeShowsTheCircuitOpenOnceTheBreakerTrips() throws Exception {
    String closed = "aihandler_circuit_open{backend=\"flaky\"} 0.0";
    for (int i = 0; i < 2; i++) {
      flaky.enqueue(OpenAiFixtures.openAiError(503, "server_error", null, "overloaded"));
    }

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("flaky-only"));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(flaky.getRequestCount()).isEqualTo(2);
    String page = scrape();
    assertThat(page)
        .contains("aihandler_circuit_open{backend=\"flaky\"} 1.0")
        .contains("aihandler_circuit_state{backend=\"flaky\"} 1.0")
        .doesNotContain(closed)
        .contains(
            "aihandler_upstream_duration_seconds_bucket{backend=\"flaky\",outcome=\"http_503\",le=\"+Inf\"} 2");
  }

  @Test
  void aModelOrTaskTheConfigDoesNotNameNeverBecomesALabel() throws Exception {
    assertThat(
            sidecar.post("/v1/chat/completions", CHAT.formatted("no-such-model-zq9")).statusCode())
        .isEqualTo(404);
    assertThat(sidecar.post("/v1/tasks/no-such-task-zq9", "{\"variables\":{}}").statusCode())
        .isEqualTo(404);
    assertThat(
            sidecar
                .post("/v1/embeddings", "{\"model\":\"no-such-embedder-zq9\",\"input\":\"x\"}")
                .statusCode())
        .isEqualTo(404);

    String page =
        awaitScrape(
            "aihandler_requests_total{backend=\"none\",endpoint=\"embeddings\",outcome=\"client_error\",route=\"-\",task=\"none\"} 1.0");
    assertThat(page)
        .contains(
            "aihandler_requests_total{backend=\"none\",endpoint=\"chat\",outcome=\"client_error\",route=\"-\",task=\"none\"} 1.0")
        .contains(
            "aihandler_requests_total{backend=\"none\",endpoint=\"task\",outcome=\"client_error\",route=\"-\",task=\"none\"} 1.0")
        .doesNotContain("zq9");
  }

  /** The page as Prometheus reads it: over HTTP from the management port. */
  private String scrape() throws Exception {
    HttpResponse<String> r = sidecar.getFrom(sidecar.managementUrl(), "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** Requests are counted just after their response is written: waits for the line to appear. */
  private String awaitScrape(String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String page = scrape();
    while (!page.contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      page = scrape();
    }
    assertThat(page).contains(line);
    return page;
  }

  private static double sum(String page, String series) {
    List<String> found = new ArrayList<>();
    for (String l : page.split("\n")) {
      if (l.startsWith(series + " ")) {
        found.add(l.substring(series.length() + 1));
      }
    }
    assertThat(found).as(series).hasSize(1);
    return Double.parseDouble(found.getFirst());
  }
}
