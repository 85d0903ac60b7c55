package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus client against answers shaped as the HTTP API shapes them, and against the ways a
 * Prometheus (or something posing as one) can misbehave: refusals, huge, slow and malformed
 * answers, and nobody listening.
 */
class PrometheusClientTest {

  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private PrometheusClient client(Duration timeout, int maxBytes) {
    return new PrometheusClient(URI.create(server.url("/").toString()), timeout, maxBytes);
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  @Test
  void anInstantVectorIsReadWithItsLabelsAndSpecialValues() throws Exception {
    server.enqueue(
        json(
            200,
            """
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"backend":"claude","role":"primary"},"value":[1733000000.123,"42.5"]},
              {"metric":{"backend":"llama"},"value":[1733000000.123,"NaN"]},
              {"metric":{},"value":[1733000000.123,"+Inf"]}]}}
            """));

    List<PrometheusClient.Sample> samples =
        client(Duration.ofSeconds(5), 1 << 20).query("sum by (backend) (up)");

    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).label("backend")).isEqualTo("claude");
    assertThat(samples.get(0).value()).isEqualTo(42.5);
    assertThat(samples.get(1).value()).isNaN();
    assertThat(samples.get(2).value()).isInfinite();
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getUrl().encodedPath()).isEqualTo("/api/v1/query");
    assertThat(request.getUrl().queryParameter("query")).isEqualTo("sum by (backend) (up)");
    assertThat(request.getUrl().queryParameter("timeout")).isEqualTo("5s");
  }

  @Test
  void aPathPrefixOfAProxyIsKept() throws Exception {
    server.enqueue(
        json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));
    new PrometheusClient(
            URI.create(server.url("/prometheus/").toString()), Duration.ofSeconds(5), 1 << 20)
        .query("up");
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getUrl().encodedPath())
        .isEqualTo("/prometheus/api/v1/query");
  }

  @Test
  void aRefusedQueryNamesPrometheussErrorButIsBounded() {
    server.enqueue(
        json(
            400,
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error: "
                + "x".repeat(5000)
                + "\"}"));
    assertThatThrownBy(() -> client(Duration.ofSeconds(5), 1 << 20).query("sum("))
        .isInstanceOf(PrometheusQueryException.class)
        .hasMessageStartingWith("Prometheus at http://")
        .hasMessageContaining("refused a query: HTTP 400 bad_data: parse error")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400))
        .satisfies(e -> assertThat(((PrometheusQueryException) e).unreachable()).isFalse());
  }

  @Test
  void anAnswerOverTheBoundIsRefusedNotRead() {
    server.enqueue(
        json(
            200,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{},\"value\":[1,\"1\"]},".repeat(10_000)
                + "{\"metric\":{},\"value\":[1,\"1\"]}]}}"));
    assertThatThrownBy(() -> client(Duration.ofSeconds(5), 64 * 1024).query("up"))
        .isInstanceOf(PrometheusQueryException.class)
        .hasMessageContaining("answered more than 65536 bytes");
  }

  @Test
  void aServerThatTricklesItsAnswerIsCutOffAtTheTimeout() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")
            .throttleBody(4, 1, TimeUnit.SECONDS)
            .build());
    long start = System.nanoTime();
    assertThatThrownBy(() -> client(Duration.ofMillis(800), 1 << 20).query("up"))
        .isInstanceOf(PrometheusQueryException.class)
        .hasMessageContaining("did not answer within PT0.8S")
        .satisfies(e -> assertThat(((PrometheusQueryException) e).unreachable()).isTrue());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aMatrixOrAnHtmlPageIsAnErrorNotAnEmptyVector() {
    server.enqueue(
        json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"));
    assertThatThrownBy(() -> client(Duration.ofSeconds(5), 1 << 20).query("up[5m]"))
        .hasMessageContaining("answered a matrix where an instant vector was expected");

    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "text/html")
            .body("<html>login</html>")
            .build());
    assertThatThrownBy(() -> client(Duration.ofSeconds(5), 1 << 20).query("up"))
        .hasMessageContaining("with a body that is not the HTTP API's JSON");
  }

  @Test
  void nobodyListeningIsUnreachableAndTheMessageCarriesNoCredentials() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      port = socket.getLocalPort();
    }
    PrometheusClient client =
        new PrometheusClient(
            URI.create("http://127.0.0.1:" + port + "/secret-path"),
            Duration.ofSeconds(2),
            1 << 20);
    assertThatThrownBy(() -> client.query("up"))
        .isInstanceOf(PrometheusQueryException.class)
        .hasMessage("Prometheus at http://127.0.0.1:" + port + " is unreachable (ConnectException)")
        .satisfies(e -> assertThat(((PrometheusQueryException) e).unreachable()).isTrue());
  }
}
