package io.aihandler.operator.activation;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.testing.prometheus.PrometheusServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scale-to-zero and activation metrics as a real Prometheus scrapes them from the operator's
 * registry, and the PromQL the docs ship, run against them.
 */
class ColdCapacityMetricsPromQlTest {

  @Test
  void gpuHoursAndActivationsAreScrapedAndTheDocumentedQueryAnswers() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics operator = OperatorMetrics.on(registry);
    ActivationMetrics activations = new ActivationMetrics(registry);
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        "/metrics",
        exchange -> {
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    target.start();
    try (PrometheusServer prometheus =
        PrometheusServer.start(List.of("127.0.0.1:" + target.getAddress().getPort()))) {
      operator.backends().gpuHours("ml", "llama", 0.5, 1.0, 2.0);
      activations.record("support", "ml/llama", ActivationMetrics.Result.ACCEPTED);
      activations.record(
          ActivationMetrics.UNKNOWN,
          ActivationMetrics.UNKNOWN,
          ActivationMetrics.Result.UNAUTHENTICATED);
      prometheus.awaitUp(Duration.ofSeconds(30));
      prometheus.awaitFreshScrape();
      operator.backends().gpuHours("ml", "llama", 0.0, 3.0, 2.0);
      prometheus.awaitFreshScrape();
      prometheus.awaitFreshScrape();

      assertThat(
              prometheus.scalar(
                  "aihandler_operator_gpu_hours_saved_total{namespace=\"ml\",backend=\"llama\"}"))
          .isEqualTo(4.0);
      assertThat(
              prometheus.scalar(
                  "aihandler_operator_gpu_hours_used_total{namespace=\"ml\",backend=\"llama\"}"))
          .isEqualTo(0.5);
      assertThat(prometheus.scalar("aihandler_operator_gpu_savings_usd_total")).isEqualTo(8.0);
      assertThat(prometheus.scalar("aihandler_operator_gpu_cost_usd_total")).isEqualTo(1.0);
      // docs/vllm-backends.md, "Cost": what scale to zero saved over a window.
      assertThat(
              prometheus.scalar(
                  "sum by (backend) (increase(aihandler_operator_gpu_savings_usd_total[30d]))"))
          .isPositive();
      assertThat(
              prometheus.scalar(
                  "sum(aihandler_operator_activations_total{namespace=\"support\","
                      + "backend=\"ml/llama\",result=\"accepted\"})"))
          .isEqualTo(1.0);
      assertThat(
              prometheus.scalar(
                  "aihandler_operator_activations_total{namespace=\"unknown\",result=\"unauthenticated\"}"))
          .isEqualTo(1.0);
    } finally {
      target.stop(0);
    }
  }
}
