package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management listener serves health, readiness and metrics and nothing else, so probes and
 * Prometheus can reach the pod IP without exposing the API that spends the backends' keys.
 */
class ManagementPortTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer upstream;
  Sidecar sidecar;
  String config;

  @BeforeEach
  void start() throws Exception {
    upstream = new MockWebServer();
    upstream.start();
    config =
        """
        sidecar: {managementHost: 127.0.0.1%s}
        backends:
          - {name: local, provider: vllm, baseUrl: "%s", model: llama-3.3-70b}
        routes:
          - {name: main, targets: [{backend: local}]}
        """;
    sidecar = Sidecar.start(dir, config.formatted("", upstream.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    upstream.close();
  }

  @Test
  void servesHealthReadinessAndMetricsOnItsOwnPort() throws Exception {
    String mgmt = sidecar.managementUrl();
    assertThat(sidecar.main.managementPort()).isNotEqualTo(sidecar.main.port());

    HttpResponse<String> health = sidecar.getFrom(mgmt, "/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(MAPPER.readTree(health.body()).path("status").asText()).isEqualTo("ok");

    HttpResponse<String> ready = sidecar.getFrom(mgmt, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(
            MAPPER.readTree(ready.body()).path("backends").path("local").path("circuit").asText())
        .isEqualTo("CLOSED");

    upstream.enqueue(ok(vllmCompletion("hello", "stop")));
    assertThat(sidecar.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    String served =
        "aihandler_requests_total{backend=\"local\",endpoint=\"chat\",outcome=\"success\",route=\"main\",task=\"none\"} 1.0";
    // The request's metrics are recorded right after its response is sent: allow a moment.
    HttpResponse<String> metrics = sidecar.getFrom(mgmt, "/metrics");
    for (int i = 0; i < 200 && !metrics.body().contains(served); i++) {
      Thread.sleep(10);
      metrics = sidecar.getFrom(mgmt, "/metrics");
    }
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains(served);
  }

  @Test
  void theApiIsNotReachableOnTheManagementPort() throws Exception {
    String mgmt = sidecar.managementUrl();

    HttpResponse<String> chat = sidecar.postTo(mgmt, "/v1/chat/completions", CHAT);
    assertThat(chat.statusCode()).isEqualTo(404);
    assertThat(MAPPER.readTree(chat.body()).path("error").path("code").asText())
        .isEqualTo("unknown_url");
    assertThat(sidecar.postTo(mgmt, "/v1/tasks/anything", "{}").statusCode()).isEqualTo(404);
    assertThat(sidecar.getFrom(mgmt, "/v1/models").statusCode()).isEqualTo(404);
    assertThat(upstream.getRequestCount()).as("nothing reached a backend").isZero();
  }

  @Test
  void theApiPortKeepsServingHealthReadinessAndMetrics() throws Exception {
    assertThat(sidecar.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(sidecar.get("/readyz").statusCode()).isEqualTo(200);
    assertThat(sidecar.get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void aReloadThatMovesTheManagementPortIsLoggedAndAppliesOnRestart() throws Exception {
    int before = sidecar.main.managementPort();
    try (LogCapture logs = new LogCapture()) {
      sidecar.rewriteConfig(config.formatted(", managementPort: 1", upstream.url("/v1")));

      assertThat(logs.awaitLine(l -> l.contains("take effect on restart")))
          .contains("managementPort");
    }
    assertThat(sidecar.main.managementPort()).isEqualTo(before);
    assertThat(sidecar.getFrom(sidecar.managementUrl(), "/healthz").statusCode()).isEqualTo(200);
  }
}
