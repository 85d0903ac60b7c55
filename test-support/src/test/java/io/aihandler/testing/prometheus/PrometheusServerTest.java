package io.aihandler.testing.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusServerTest {

  @Test
  void scrapesATargetAndAnswersQueriesAboutIt() throws Exception {
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] exposition =
        "# TYPE demo_total counter\ndemo_total{task=\"classify\"} 42\n"
            .getBytes(StandardCharsets.UTF_8);
    target.createContext(
        "/metrics",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, exposition.length);
          exchange.getResponseBody().write(exposition);
          exchange.close();
        });
    target.start();
    try (PrometheusServer prometheus =
        PrometheusServer.start(List.of("127.0.0.1:" + target.getAddress().getPort()))) {
      prometheus.awaitUp(Duration.ofSeconds(30));

      assertThat(prometheus.scalar("demo_total{task=\"classify\"}")).isEqualTo(42.0);
      assertThat(prometheus.query("demo_total{task=\"absent\"}")).isEmpty();
    } finally {
      target.stop(0);
    }
  }

  @Test
  void aLabelledTargetsSeriesCarryItsLabels() throws Exception {
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] exposition =
        "# TYPE demo_total counter\ndemo_total 7\n".getBytes(StandardCharsets.UTF_8);
    target.createContext(
        "/metrics",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, exposition.length);
          exchange.getResponseBody().write(exposition);
          exchange.close();
        });
    target.start();
    try (PrometheusServer prometheus =
        PrometheusServer.startLabelled(
            "/metrics",
            java.util.Map.of(
                "127.0.0.1:" + target.getAddress().getPort(),
                java.util.Map.of("namespace", "shop", "workflow", "support")),
            List.of())) {
      prometheus.awaitUp(Duration.ofSeconds(30));

      assertThat(prometheus.scalar("demo_total{namespace=\"shop\",workflow=\"support\"}"))
          .isEqualTo(7.0);
    } finally {
      target.stop(0);
    }
  }
}
