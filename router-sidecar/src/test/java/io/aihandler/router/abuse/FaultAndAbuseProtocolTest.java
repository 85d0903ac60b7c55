package io.aihandler.router.abuse;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that bend HTTP: broken chunk sizes, HTTP/1.0, and CR/LF smuggled into values the access
 * log writes.
 */
class FaultAndAbuseProtocolTest extends FaultAndAbuseBase {

  @Override
  protected RouterYaml config() {
    return standard();
  }

  @ParameterizedTest(name = "chunk size {0}")
  @ValueSource(strings = {"ZZ", "100000000000000000000"})
  void malformedChunkSize_is400WithinTwoSeconds_aClientErrorNotAnInternalOne(String size)
      throws Exception {
    int from = sidecar.logSize();
    String body = Chat.oneMessage("main", "hello");
    try (RawClient c = RawClient.connect(sidecar.port())) {
      c.send(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              + size
              + "\r\n"
              + body
              + "\r\n0\r\n\r\n");
      long t0 = System.nanoTime();
      RawClient.Reply r = c.read(Duration.ofSeconds(2));
      expect(
          r.answered(),
          "no answer within 2 s: "
              + r
              + " after "
              + Duration.ofNanos(System.nanoTime() - t0).toMillis()
              + " ms");
      expectError(r, 400, null);
    }
    String page = metrics();
    List<String> internal =
        page.lines()
            .filter(
                l ->
                    l.startsWith("aihandler_requests_total{")
                        && l.contains("outcome=\"internal_error\""))
            .toList();
    expect(internal.isEmpty(), "/metrics counts it as an internal error: " + internal);
    List<String> severe =
        sidecar.logSince(from).stream().filter(l -> SEVERE.matcher(l).find()).toList();
    expect(severe.isEmpty(), "the log has a SEVERE line: " + severe);
  }

  @Test
  void http10RequestWithContentLength_isServed() throws Exception {
    try (RawClient c = RawClient.connect(sidecar.port())) {
      c.send(
          RawClient.request(
              "POST", "/v1/chat/completions", "HTTP/1.0", Chat.oneMessage("main", "hello")));
      RawClient.Reply r = c.read(Duration.ofSeconds(10));
      expect(
          r.status() == 200 && r.body().contains("chat.completion"),
          "expected 200 with a chat.completion, saw " + r);
    }
  }

  @Test
  void crlfInTheModelValue_doesNotForgeAnAccessLine() throws Exception {
    int from = sidecar.logSize();
    String injected = "INFO: FORGED-MODEL status=200 outcome=success";
    Http.Response r =
        http.post(
            sidecar.port(),
            "/v1/chat/completions",
            "{\"model\":"
                + Chat.quote("nope\r\n" + injected)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    expect(
        r.status() >= 400 && r.status() < 500 && Envelope.parse(r.body()).wellFormed(),
        "expected a 4xx error envelope for an unknown model, saw " + r);
    expectNotForged(from, "FORGED-MODEL");
  }

  @Test
  void crlfInThePath_doesNotForgeAnAccessLine() throws Exception {
    int from = sidecar.logSize();
    Http.Response r =
        http.post(
            sidecar.port(),
            "/v1/tasks/nope%0d%0aINFO:%20FORGED-PATH%20status=200",
            "{\"variables\":{}}");
    expect(
        r.status() >= 400 && r.status() < 500 && Envelope.parse(r.body()).wellFormed(),
        "expected a 4xx error envelope for an unknown task, saw " + r);
    expectNotForged(from, "FORGED-PATH");
  }

  /** The marker was logged (escaped, inside its access line), never at the start of a line. */
  private void expectNotForged(int from, String marker) {
    Pattern forged = Pattern.compile("^(\\w+: )?" + marker);
    expect(
        sidecar.awaitLog(from, Pattern.compile(marker), Duration.ofSeconds(5)).isPresent(),
        "the request left no access line with " + marker);
    List<String> lines = sidecar.logSince(from).stream().filter(l -> l.contains(marker)).toList();
    List<String> forgedLines = lines.stream().filter(l -> forged.matcher(l).find()).toList();
    expect(forgedLines.isEmpty(), "a log line starts with the injected text: " + forgedLines);
    expect(
        lines.stream().allMatch(l -> l.contains(" status=") && l.contains(" outcome=")),
        "the injected text is not inside its access line: " + lines);
    // One line per record, in the layout both processes write (TextLogFormatter).
    Pattern accessLine =
        Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000 \\[.*\\] INFO"
                + " io\\.aihandler\\.router\\.access - POST ");
    expect(
        lines.stream().allMatch(l -> accessLine.matcher(l).find()),
        "the access line is not in the text layout: " + lines);
  }
}
