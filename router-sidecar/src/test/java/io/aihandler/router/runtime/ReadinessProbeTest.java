package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Provider;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vLLM's health endpoint as the probe reads it: 200 ready, anything else not yet, bounded. */
class ReadinessProbeTest {

  MockWebServer vllm;
  final ReadinessProbe probe = new ReadinessProbe(Duration.ofMillis(300));

  @BeforeEach
  void start() throws Exception {
    vllm = new MockWebServer();
    vllm.start();
  }

  @AfterEach
  void stop() {
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
  }
}
