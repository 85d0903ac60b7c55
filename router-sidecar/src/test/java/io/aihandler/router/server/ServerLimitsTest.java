package io.aihandler.router.server;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.RawHttp;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's own limits against clients that send too little, too slowly, too much or the wrong
 * thing: each ends in a clear answer or a closed connection, never a hang or a 500.
 */
class ServerLimitsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer backend;
  Sidecar sidecar;

  @BeforeEach
  void upstream() throws Exception {
    backend = new MockWebServer();
    backend.start();
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    backend.close();
  }

  private void start(String sidecarSettings) throws Exception {
    sidecar =
        Sidecar.start(
            dir,
            """
            sidecar: {%s}
            backends:
              - {name: local, provider: vllm, baseUrl: "%s", model: llama}
            routes:
              - {name: main, targets: [{backend: local}]}
            """
                .formatted(sidecarSettings, backend.url("/v1")));
  }

  private int port() {
    return sidecar.main.port();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
    start("idleTimeout: 1s");
    try (RawHttp silent = new RawHttp(port())) {
      long t0 = System.nanoTime();
      RawHttp.Reply r = silent.readUntilClosed(5_000);
      assertThat(r.closed()).as("closed by the server").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(800L, 3_000L);
    }
    assertThat(sidecar.get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyNoHandlerReadsDoesNotHoldItsConnectionPastTheIdleTimeout() throws Exception {
    start("idleTimeout: 1s");
    try (RawHttp client = new RawHttp(port())) {
      long t0 = System.nanoTime();
      client.write("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
      RawHttp.Reply r = client.readUntilClosed(8_000);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.text().toLowerCase()).contains("connection: close");
      assertThat(r.closed()).as("closed by the server").isTrue();
      // The answer tells the client not to reuse it; Helidon then closes it at the idle timeout
      // at the latest, instead of waiting for the body with no limit.
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(4_000L);
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start("idleTimeout: 1s");
    try (RawHttp c = new RawHttp(port())) {
      c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      long t0 = System.nanoTime();
      RawHttp.Reply r = c.readUntilClosed(5_000);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.closed()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_500L);
    }
  }

  @Test
  void headersDribbledByteByByteAreCutAtTheHeaderReadTimeout() throws Exception {
    start("idleTimeout: 10s, headerReadTimeout: 1s");
    try (RawHttp slow = new RawHttp(port())) {
      slow.write("POST /v1/chat/completions HTTP/1.1\r\n");
      long t0 = System.nanoTime();
      boolean cut = false;
      String header =
          "Content-Type: application/json\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
      for (int i = 0; i < header.length(); i++) {
        try {
          slow.write(header.substring(i, i + 1));
        } catch (java.io.IOException closed) {
          cut = true;
          break;
        }
        Thread.sleep(200);
        if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) > 6_000) {
          break;
        }
      }
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(cut || slow.readUntilClosed(500).closed())
          .as("the connection was closed")
          .isTrue();
      assertThat(took).as("within the header timeout plus a margin").isLessThan(4_000L);
    }
  }

  @Test
  void aBodyThatArrivesTooSlowlyIsCutAtTheBodyReadTimeout() throws Exception {
    start("idleTimeout: 10s, bodyReadTimeout: 1s");
    try (RawHttp slow = new RawHttp(port());
        LogCapture log = new LogCapture()) {
      slow.write(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 1000\r\n\r\n");
      long t0 = System.nanoTime();
      boolean cut = false;
      for (int i = 0; i < 100 && !cut; i++) {
        try {
          slow.write("          ");
        } catch (java.io.IOException closed) {
          cut = true;
        }
        Thread.sleep(100);
        if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) > 5_000) {
          break;
        }
      }
      assertThat(cut || slow.readUntilClosed(1_000).closed())
          .as("the connection was closed")
          .isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(4_000L);
      assertThat(log.awaitLine(l -> l.contains("/v1/chat/completions") && l.contains("status=408")))
          .contains("outcome=client_error");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void aChunkSizeThatIsNotHexIsAnswered400AtOnceAndCountedAsTheClients() throws Exception {
    start("");
    for (String size : new String[] {"ZZ", "1000000000000000000"}) {
      try (RawHttp c = new RawHttp(port())) {
        c.write(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + size
                + "\r\n{}\r\n0\r\n\r\n");
        RawHttp.Reply r = c.readUntilClosed(3_000);
        assertThat(r.status()).as("chunk size %s", size).isEqualTo(400);
        assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
            .isEqualTo("invalid_body_framing");
        assertThat(r.closed()).as("connection closed after the error").isTrue();
      }
    }
    assertThat(sidecar.metrics()).doesNotContain("outcome=\"internal_error\"");
    assertThat(sidecar.metrics()).contains("outcome=\"client_error\"");
  }

  @Test
  void aChunkedBodyOverTheLimitIs413() throws Exception {
    start("maxRequestBytes: 4096");
    try (RawHttp c = new RawHttp(port())) {
      StringBuilder req =
          new StringBuilder(
              "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 10; i++) {
        req.append("400\r\n").append("a".repeat(1024)).append("\r\n");
      }
      req.append("0\r\n\r\n");
      c.write(req.toString());
      RawHttp.Reply r = c.readUntilClosed(3_000);
      assertThat(r.status()).isEqualTo(413);
      assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
          .isEqualTo("request_too_large");
    }
  }

  @Test
  void http10RequestsAreServed() throws Exception {
    start("");
    backend.enqueue(ok(openAiCompletion("hello", "stop")));
    try (RawHttp c = new RawHttp(port())) {
      c.write(
          "POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
              + CHAT.length()
              + "\r\n\r\n"
              + CHAT);
      RawHttp.Reply r = c.readUntilClosed(5_000);
      assertThat(r.status()).isEqualTo(200);
      assertThat(
              MAPPER
                  .readTree(r.body())
                  .path("choices")
                  .path(0)
                  .path("message")
                  .path("content")
                  .asText())
          .isEqualTo("hello");
      assertThat(r.text())
          .as("the answer says the connection closes")
          .contains("Connection: close");
    }
    try (RawHttp c = new RawHttp(port())) {
      c.write("GET /healthz HTTP/1.0\r\n\r\n");
      assertThat(c.readUntilClosed(3_000).status()).as("no Host header needed").isEqualTo(200);
    }
    try (RawHttp c = new RawHttp(sidecar.main.managementPort())) {
      c.write("GET /readyz HTTP/1.0\r\n\r\n");
      assertThat(c.readUntilClosed(3_000).status()).as("management port").isEqualTo(200);
    }
  }

  @Test
  void aStreamOverHttp10IsRefusedPlainly() throws Exception {
    start("");
    String body =
        "{\"model\":\"main\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (RawHttp c = new RawHttp(port())) {
      c.write(
          "POST /v1/chat/completions HTTP/1.0\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body);
      RawHttp.Reply r = c.readUntilClosed(3_000);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("streaming_needs_http11");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void sixtyThousandSmallMessagesAre413NamingTheLimitAndAreNotLoggedAsSuccess() throws Exception {
    start("maxRequestBytes: 3000000");
    StringBuilder body = new StringBuilder("{\"model\":\"main\",\"messages\":[");
    for (int i = 0; i < 60_000; i++) {
      body.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"x\"}");
    }
    body.append("]}");
    try (LogCapture log = new LogCapture()) {
      HttpResponse<String> r = sidecar.post("/v1/chat/completions", body.toString());
      assertThat(r.statusCode()).isEqualTo(413);
      JsonNode error = MAPPER.readTree(r.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("json_array_too_long");
      assertThat(error.path("message").asText())
          .contains("sidecar.maxJsonArrayItems")
          .contains("messages");
      assertThat(log.awaitLine(l -> l.contains("status=413"))).contains("outcome=client_error");
    }
    assertThat(sidecar.metrics())
        .doesNotContainPattern("aihandler_requests_total\\{[^}]*outcome=\"success\"");
  }

  @Test
  void aBodyOfManyTinyValuesIs413BeforeItsTreeOutgrowsTheLimit() throws Exception {
    start("maxRequestBytes: 1000000");
    StringBuilder body = new StringBuilder("{\"model\":\"main\",\"messages\":[");
    for (int m = 0; m < 70; m++) {
      body.append(m == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":[");
      for (int i = 0; i < 4000; i++) {
        body.append(i == 0 ? "{}" : ",{}");
      }
      body.append("]}");
    }
    body.append("]}");
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", body.toString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
        .isEqualTo("request_too_complex");
  }

  @Test
  void jsonNestedTenThousandDeepIs400() throws Exception {
    start("");
    String deep = "{\"model\":\"main\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", deep);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
        .isEqualTo("json_too_deep");
  }

  @Test
  void duplicateKeysAreRefused() throws Exception {
    start("");
    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"content\":\"b\"}]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("appears twice");
    assertThat(backend.getRequestCount()).isZero();
  }

  @Test
  void requestsPastTheConcurrencyLimitGet503WithRetryAfter() throws Exception {
    start("maxConcurrentRequests: 1");
    backend.enqueue(
        new mockwebserver3.MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "application/json")
            .body(openAiCompletion("slow", "stop"))
            .headersDelay(1500, TimeUnit.MILLISECONDS)
            .build());
    var first =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return sidecar.post("/v1/chat/completions", CHAT);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    assertThat(backend.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
    HttpResponse<String> second = sidecar.post("/v1/chat/completions", CHAT);
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("retry-after")).hasValue("1");
    assertThat(MAPPER.readTree(second.body()).path("error").path("code").asText())
        .isEqualTo("overloaded");
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(sidecar.metrics()).contains("outcome=\"overloaded\"");
  }

  @Test
  void requestValuesCannotForgeAccessLogLines() throws Exception {
    start("");
    try (LogCapture log = new LogCapture()) {
      String forged = "main\\r\\nGET /v1/admin status=200 outcome=success";
      sidecar.post(
          "/v1/chat/completions",
          "{\"model\":\"" + forged + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      String line = log.awaitLine(l -> l.contains("status=404"));
      String message = line.substring(line.indexOf("POST ")).strip();
      assertThat(message).doesNotContain("\n").doesNotContain("\r");
      assertThat(line).contains("model=\"main\\r\\nGET /v1/admin status=200 outcome=success\"");
      assertThat(log.lines()).noneMatch(l -> l.startsWith("GET /v1/admin"));
    }
    try (RawHttp c = new RawHttp(port());
        LogCapture log = new LogCapture()) {
      c.write(
          "POST /v1/tasks/x%0d%0aforged HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              + "Content-Length: 2\r\n\r\n{}");
      c.readUntilClosed(3_000);
      String line = log.awaitLine(l -> l.contains("/v1/tasks/x"));
      String message = line.substring(line.indexOf("POST ")).strip();
      assertThat(message)
          .doesNotContain("\r")
          .doesNotContain("\n")
          .contains("model=\"x\\r\\nforged\"");
    }
  }

  @Test
  void aFullListenerClosesItsLongestIdleConnectionSoNewClientsAreServedAtOnce() throws Exception {
    start("maxConnections: 4, idleTimeout: 60s");
    backend.enqueue(
        new mockwebserver3.MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "application/json")
            .body(openAiCompletion("slow", "stop"))
            .headersDelay(3, TimeUnit.SECONDS)
            .build());
    try (RawHttp busy = new RawHttp(port())) {
      busy.write(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
              + CHAT.length()
              + "\r\n\r\n"
              + CHAT);
      assertThat(backend.takeRequest(5, TimeUnit.SECONDS))
          .as("the busy request is in flight")
          .isNotNull();
      java.util.List<RawHttp> idle = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          RawHttp c = new RawHttp(port());
          c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
          assertThat(c.readUntilClosed(300).status()).isEqualTo(200);
          idle.add(c);
        }
        long t0 = System.nanoTime();
        HttpResponse<String> fresh = sidecar.get("/healthz");
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
            .as("served without waiting for the idle timeout")
            .isLessThan(2_000L);
        assertThat(idle.get(0).readUntilClosed(1_000).closed())
            .as("the longest-idle one was closed")
            .isTrue();
      } finally {
        for (RawHttp c : idle) {
          c.close();
        }
      }
      RawHttp.Reply answer = busy.readUntilClosed(6_000);
      assertThat(answer.status()).as("the busy connection was left alone").isEqualTo(200);
      assertThat(answer.body()).contains("slow");
    }
  }
}
