package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Provider;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.testing.LogCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * vLLM's health endpoint as the probe reads it: 200 ready, anything else not yet, the whole
 * exchange bounded in time and the answer in size, every probe counted.
 */
class ReadinessProbeTest {

  MockWebServer vllm;
  final RouterMetrics metrics = new RouterMetrics();
  final ReadinessProbe probe = new ReadinessProbe(Duration.ofMillis(300), metrics);
  LogCapture logs;

  @BeforeEach
  void start() throws Exception {
    vllm = new MockWebServer();
    vllm.start();
    logs = new LogCapture();
  }

  @AfterEach
  void stop() {
    logs.close();
    probe.close();
    vllm.close();
  }

  private static Backend at(String baseUrl) {
    return new Backend(
        "llama", Provider.VLLM, baseUrl, "llama", null, null, null, null, null, null, null, null);
  }

  @Test
  void theHealthEndpointIsBesideTheV1Api() {
    assertThat(ReadinessProbe.healthUri(at("http://llama.ml.svc:8000/v1")).toString())
        .isEqualTo("http://llama.ml.svc:8000/health");
    assertThat(ReadinessProbe.healthUri(at("http://llama.ml.svc:8000/v1/")).toString())
        .isEqualTo("http://llama.ml.svc:8000/health");
    assertThat(ReadinessProbe.healthUri(at("http://llama.ml.svc:8000/models/llama")).toString())
        .isEqualTo("http://llama.ml.svc:8000/models/llama/health");
  }

  @Test
  void only200IsReady() throws Exception {
    vllm.enqueue(new MockResponse.Builder().code(503).build());
    vllm.enqueue(new MockResponse.Builder().code(200).build());

    assertThat(probe.ready(at(vllm.url("/v1").toString()))).isFalse();
    assertThat(probe.ready(at(vllm.url("/v1").toString()))).isTrue();
    assertThat(vllm.takeRequest().getUrl().encodedPath()).isEqualTo("/health");
    assertThat(vllm.takeRequest().getMethod()).isEqualTo("GET");
    assertThat(metrics.scrape())
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"not_ready\"} 1.0")
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"ready\"} 1.0");
  }

  @Test
  void aRefusedConnectionOrASilentBackendIsNotReadyWithinTheTimeout() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(probe.ready(at("http://127.0.0.1:" + closed + "/v1"))).isFalse();

    vllm.enqueue(new MockResponse.Builder().code(200).headersDelay(5, TimeUnit.SECONDS).build());
    long started = System.nanoTime();
    assertThat(probe.ready(at(vllm.url("/v1").toString()))).isFalse();
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(3));
    assertThat(metrics.scrape())
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"unreachable\"} 1.0")
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"timeout\"} 1.0");
  }

  @Test
  void aBodyDribbledAByteAtATimeIsCutOffAtTheProbesTimeout() throws Exception {
    // Each byte comes well within the timeout, the whole body never does: 100 bytes at one per
    // 100 ms would take 10 s.
    vllm.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body("x".repeat(100))
            .throttleBody(1, 100, TimeUnit.MILLISECONDS)
            .build());
    long started = System.nanoTime();

    assertThat(probe.ready(at(vllm.url("/v1").toString()))).isFalse();

    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(1500));
    assertThat(metrics.scrape())
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"timeout\"} 1.0");
    assertThat(logs.all()).contains("health probe of backend llama failed (timeout)");
    // The next probe is a fresh exchange and answers as usual.
    vllm.enqueue(new MockResponse.Builder().code(200).build());
    assertThat(probe.ready(at(vllm.url("/v1").toString()))).isTrue();
  }

  @Test
  void anAbandonedProbeClosesItsConnectionRatherThanReadOn() throws Exception {
    try (ServerSocket dribbler = new ServerSocket(0)) {
      CompletableFuture<Long> cutOff = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (Socket s = dribbler.accept()) {
                  OutputStream out = s.getOutputStream();
                  out.write(
                      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  for (int i = 0; i < 1000; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(50);
                  }
                  cutOff.complete(-1L);
                } catch (IOException e) {
                  cutOff.complete(System.nanoTime());
                } catch (InterruptedException e) {
                  cutOff.complete(-1L);
                }
              });

      assertThat(probe.ready(at("http://127.0.0.1:" + dribbler.getLocalPort() + "/v1"))).isFalse();
      long returned = System.nanoTime();

      long closedAt = cutOff.get(10, TimeUnit.SECONDS);
      assertThat(closedAt).as("the peer's writes failed: its connection was closed").isPositive();
      assertThat(closedAt - returned).isLessThan(TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Test
  void aHealthAnswerLongerThanTheBoundIsNotReady() throws Exception {
    vllm.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body("x".repeat(ReadinessProbe.MAX_BODY_BYTES + 1))
            .build());
    vllm.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body("x".repeat(ReadinessProbe.MAX_BODY_BYTES))
            .build());

    assertThat(probe.ready(at(vllm.url("/v1").toString()))).isFalse();
    assertThat(probe.ready(at(vllm.url("/v1").toString()))).as("at the bound").isTrue();
    assertThat(metrics.scrape())
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"too_large\"} 1.0");
    assertThat(logs.all()).contains("health probe of backend llama failed (too_large)");
  }

  @Test
  void aPeerThatKeepsDribblingIsLoggedOnceNotOnEveryProbe() throws Exception {
    for (int i = 0; i < 3; i++) {
      vllm.enqueue(
          new MockResponse.Builder()
              .code(200)
              .body("x".repeat(100))
              .throttleBody(1, 100, TimeUnit.MILLISECONDS)
              .build());
    }
    for (int i = 0; i < 3; i++) {
      assertThat(probe.ready(at(vllm.url("/v1").toString()))).isFalse();
    }
    assertThat(metrics.scrape())
        .contains("aihandler_readiness_probes_total{backend=\"llama\",result=\"timeout\"} 3.0");
    assertThat(logs.lines().stream().filter(l -> l.contains("health probe of backend llama")))
        .hasSize(1);
  }
}
