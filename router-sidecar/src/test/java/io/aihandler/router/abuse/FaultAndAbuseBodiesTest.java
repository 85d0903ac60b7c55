package io.aihandler.router.abuse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Request bodies at and past the limits ({@code maxRequestBytes}, {@code maxJsonDepth}, {@code
 * maxJsonArrayItems}): each gets its own error envelope, never a plain 500 or a dead process.
 */
class FaultAndAbuseBodiesTest extends FaultAndAbuseBase {

  // The shipped default: with the launcher's 32 MiB heap, larger limits are refused at start.
  private static final int MAX_REQUEST_BYTES = 1_048_576;

  @Override
  protected RouterYaml config() {
    return standard().sidecar("maxRequestBytes: " + MAX_REQUEST_BYTES);
  }

  @Test
  void sixtyThousandMessages_is413JsonArrayTooLong() throws Exception {
    StringBuilder b = new StringBuilder("{\"model\":\"main\",\"messages\":[");
    for (int i = 0; i < 30_000; i++) {
      b.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"hi\"}");
    }
    String body = b.append("]}").toString();
    expect(body.length() < MAX_REQUEST_BYTES, "the probe's body is over maxRequestBytes");
    int from = sidecar.logSize();
    Http.Response r = http.post(sidecar.port(), "/v1/chat/completions", body);
    expectError(r, 413, "json_array_too_long");
    String message = Envelope.parse(r.body()).message();
    expect(
        message.contains("sidecar.maxJsonArrayItems"),
        "the message does not name sidecar.maxJsonArrayItems: " + message);
    // This request's lines only: the line of an earlier test's request may be written late.
    String id = r.header("x-request-id").orElseThrow();
    List<String> lines =
        accessLinesSince(from).stream().filter(l -> l.contains("request_id=" + id)).toList();
    expect(
        lines.stream().noneMatch(l -> l.contains("status=200") || l.contains("outcome=success")),
        "the access log records it as served: " + lines);
    expect(inside.count() == 0, "it reached the backend (" + inside.count() + " requests)");
  }

  @Test
  void twoConcurrentRequestsJustUnderMaxRequestBytes_areBothAnswered() throws Exception {
    String text = "a".repeat(MAX_REQUEST_BYTES - 200);
    String body = Chat.oneMessage("main", text);
    expect(body.length() < MAX_REQUEST_BYTES, "the probe's body is over maxRequestBytes");
    CompletableFuture<Http.Response> one = CompletableFuture.supplyAsync(() -> post(body));
    CompletableFuture<Http.Response> two = CompletableFuture.supplyAsync(() -> post(body));
    for (Http.Response r : List.of(one.get(60, TimeUnit.SECONDS), two.get(60, TimeUnit.SECONDS))) {
      boolean served = r.status() == 200;
      boolean shed =
          r.status() == 503
              && "overloaded".equals(Envelope.parse(r.body()).code())
              && r.header("retry-after").isPresent();
      expect(served || shed, "expected 200, or 503 overloaded with Retry-After; saw " + r);
    }
  }

  @Test
  void jsonNestedTenThousandDeep_is400JsonTooDeep() throws Exception {
    String body =
        "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":"
            + "[".repeat(10_000)
            + "]".repeat(10_000)
            + "}";
    Http.Response r = http.post(sidecar.port(), "/v1/chat/completions", body);
    expectError(r, 400, "json_too_deep");
  }

  @Test
  void chunkedBodyOverMaxRequestBytes_is413RequestTooLarge() throws Exception {
    byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
    String chunkHead = Integer.toHexString(chunk.length) + "\r\n";
    int chunks = MAX_REQUEST_BYTES / chunk.length + 10;
    try (RawClient c = RawClient.connect(sidecar.port())) {
      c.send(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      String open =
                          "{\"model\":\"main\",\"messages\":[{\"role\":\"user\",\"content\":\"";
                      c.send(chunkHead + open + "a".repeat(chunk.length - open.length()) + "\r\n");
                      for (int i = 1; i < chunks && !stop.get(); i++) {
                        c.send(chunkHead);
                        c.send(chunk);
                        c.send("\r\n");
                      }
                      c.send("3\r\n\"}]\r\n0\r\n\r\n");
                    } catch (Exception e) {
                      // the sidecar stopped reading: expected once it has seen enough
                    }
                  });
      RawClient.Reply r = c.read(Duration.ofSeconds(20));
      stop.set(true);
      writer.interrupt();
      expectError(r, 413, "request_too_large");
    }
  }

  private Http.Response post(String body) {
    try {
      return Http.fresh().post(sidecar.port(), "/v1/chat/completions", body);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
