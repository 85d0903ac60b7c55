package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory budget on the launcher's heap: large answers in flight together are charged to it, and
 * those that do not fit get 503 {@code overloaded}, while the budget returns to empty.
 */
class MemoryBudgetTest {

  /** What -Xmx32m with the serial collector reports as the maximum heap. */
  private static final long LAUNCHER_HEAP = 32_440_320;

  @TempDir Path dir;
  MockWebServer backend;
  RouterMain main;

  @AfterEach
  void stop() {
    if (main != null) {
      main.close();
    }
    backend.close();
  }

  @Test
  void largeAnswersInFlightTogetherAreHeldToTheBudget() throws Exception {
    backend = new MockWebServer();
    backend.start();
    // Just under maxUpstreamResponseBytes (1 MiB): each answer charges about 4 MiB while served.
    String big = openAiCompletion("x".repeat(1_000_000), "stop");
    for (int i = 0; i < 6; i++) {
      backend.enqueue(
          new MockResponse.Builder()
              .code(200)
              .addHeader("content-type", "application/json")
              .body(big)
              .throttleBody(64 * 1024, 150, TimeUnit.MILLISECONDS)
              .build());
    }
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        """
        backends:
          - {name: local, provider: vllm, baseUrl: "%s", model: llama}
        routes:
          - {name: main, maxAttempts: 1, targets: [{backend: local}]}
        """
            .formatted(backend.url("/v1")));
    main = new RouterMain(config, 0, 0, Map.<String, String>of()::get, LAUNCHER_HEAP).start();

    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(
          http.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + main.port() + "/v1/chat/completions"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    int ok = 0;
    int overloaded = 0;
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new ObjectMapper().readTree(r.body()).path("error").path("code").asText())
            .isEqualTo("overloaded");
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        overloaded++;
      }
    }
    assertThat(ok)
        .as("one large answer fits the budget at a time, at least")
        .isGreaterThanOrEqualTo(1);
    assertThat(overloaded)
        .as("four at once (16 MiB) do not fit a budget of 10.7 MiB")
        .isGreaterThanOrEqualTo(1);
    assertThat(main.metrics().scrape()).contains("outcome=\"overloaded\"");
  }
}
