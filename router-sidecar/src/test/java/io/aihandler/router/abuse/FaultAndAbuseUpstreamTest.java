package io.aihandler.router.abuse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that misbehave: answers, errors and events of hundreds of megabytes, close-delimited
 * streams, redirects, clients that stop reading a stream, a failed call charged to a token budget,
 * a restricted request whose in-cluster target fails.
 */
class FaultAndAbuseUpstreamTest extends FaultAndAbuseBase {

  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration MARGIN = Duration.ofSeconds(3);
  private static final List<String> PIECES = List.of("alpha", " beta", " gamma");

  @Override
  protected RouterYaml config() {
    RouterYaml y = standard().defaultDataClass("public");
    for (String name :
        List.of("huge", "huge-error", "huge-line", "no-blank", "close-sse", "redirect")) {
      y.backend(
          "{name: " + name + ", provider: vllm, baseUrl: \"" + raw.baseUrl(name) + "\", model: m}");
      y.route(
          "{name: "
              + name
              + ", maxAttempts: 1, perTryTimeout: 20s, timeout: 30s,"
              + " targets: [{backend: "
              + name
              + "}]}");
    }
    y.backend("{name: slow, provider: vllm, baseUrl: \"" + raw.baseUrl("slow") + "\", model: m}");
    y.route(
        "{name: slow, maxAttempts: 1, timeout: "
            + STALL_TIMEOUT.toSeconds()
            + "s,"
            + " perTryTimeout: "
            + STALL_TIMEOUT.toSeconds()
            + "s,"
            + " streamIdleTimeout: 1s, targets: [{backend: slow}]}");
    y.backend(
        "{name: tpm, provider: vllm, baseUrl: \""
            + raw.baseUrl("tpm")
            + "\", model: m,"
            + " limits: {tokensPerMinute: 10000}}");
    y.route("{name: tpm, maxAttempts: 1, targets: [{backend: tpm}]}");
    y.backend(
        "{name: in-fail, provider: vllm, baseUrl: \"" + raw.baseUrl("in-fail") + "\", model: m}");
    y.route(
        "{name: guarded, targets: [{backend: in-fail, priority: 0}, {backend: outside, priority: 1}]}");
    raw.answer("huge", UpstreamAnswers.hugeBody());
    raw.answer("huge-error", UpstreamAnswers.hugeError());
    raw.answer("huge-line", UpstreamAnswers.hugeSseLine());
    raw.answer("no-blank", UpstreamAnswers.dataLinesWithoutEnd());
    raw.answer("close-sse", UpstreamAnswers.closeDelimitedStream(PIECES));
    raw.answer("redirect", UpstreamAnswers.redirect());
    raw.answer("slow", UpstreamAnswers.endlessStream());
    raw.answer("tpm", UpstreamAnswers.failsHugeMaxTokens());
    raw.answer("in-fail", UpstreamAnswers.serverError());
    return y;
  }

  @Test
  void twoHundredMegabyteAnswer_is502UpstreamResponseTooLarge() throws Exception {
    Http.Response r = http.chat(sidecar.port(), "huge", "hello");
    expectError(r, 502, "upstream_response_too_large");
    expectUpstreamClosed("huge");
  }

  @Test
  void twoHundredMegabyteErrorBody_is502WithTheClassifiedError() throws Exception {
    Http.Response r = http.chat(sidecar.port(), "huge-error", "hello");
    expectError(r, 502, null);
    String message = Envelope.parse(r.body()).message();
    expect(
        message.contains("500"),
        "the message does not classify the upstream's HTTP 500: " + message);
    expectUpstreamClosed("huge-error");
  }

  @Test
  void twoHundredMegabyteSseLine_is502UpstreamEventTooLarge() throws Exception {
    Http.Response r =
        http.post(sidecar.port(), "/v1/chat/completions", Chat.streaming("huge-line", "hello"));
    expectError(r, 502, "upstream_event_too_large");
    expectUpstreamClosed("huge-line");
  }

  @Test
  void dataLinesWithoutABlankLineFor200MB_endWithUpstreamEventTooLarge() throws Exception {
    Http.Response r =
        http.post(sidecar.port(), "/v1/chat/completions", Chat.streaming("no-blank", "hello"));
    if (r.status() == 200) {
      expect(
          r.body().contains("event: error")
              && r.body().contains("upstream_event_too_large")
              && !r.body().contains("[DONE]"),
          "the stream did not end with an upstream_event_too_large error event: " + r);
    } else {
      expectError(r, 502, "upstream_event_too_large");
    }
    expectUpstreamClosed("no-blank");
  }

  @Test
  void closeDelimitedStream_isRelayedWhole_andTwelveOfThemKeepTheCircuitClosed() throws Exception {
    int from = sidecar.logSize();
    for (int i = 0; i < 12; i++) {
      Http.Response r =
          http.post(sidecar.port(), "/v1/chat/completions", Chat.streaming("close-sse", "hello"));
      boolean whole =
          r.status() == 200
              && r.body().endsWith("data: [DONE]\n\n")
              && PIECES.stream().allMatch(p -> r.body().contains(Chat.quote(p)));
      expect(
          whole,
          "stream "
              + (i + 1)
              + " was not relayed whole: HTTP "
              + r.status()
              + ", ending "
              + Text.clip(r.body().substring(Math.max(0, r.body().length() - 300)), 300));
    }
    // Each access line is written just after its response has been sent: wait for the last one.
    Poll.until(
        Duration.ofSeconds(5),
        () ->
            accessLinesSince(from).stream().filter(l -> l.contains("route=close-sse")).count()
                >= 12);
    List<String> lines =
        accessLinesSince(from).stream().filter(l -> l.contains("route=close-sse")).toList();
    expect(
        lines.size() == 12 && lines.stream().allMatch(l -> l.contains("outcome=success")),
        "expected 12 access lines with outcome=success, saw " + lines);
    String circuit = readyz().path("backends").path("close-sse").path("circuit").asText();
    expect("CLOSED".equals(circuit), "the backend's circuit is " + circuit);
  }

  @Test
  void upstreamRedirect_is502UpstreamRedirect() throws Exception {
    Http.Response r = http.chat(sidecar.port(), "redirect", "hello");
    expectError(r, 502, "upstream_redirect");
  }

  @Test
  void twentyStreamingClientsThatStopReading_releaseTheirUpstreamsWithinTheRouteTimeout()
      throws Exception {
    List<RawClient> clients = new ArrayList<>();
    try {
      int before = raw.served("slow");
      String request =
          RawClient.request(
              "POST",
              "/v1/chat/completions",
              "HTTP/1.1",
              Chat.streaming("slow", "tell me everything"));
      for (int i = 0; i < 20; i++) {
        clients.add(RawClient.connectWithReceiveBuffer(sidecar.port(), 1024).send(request));
      }
      expect(
          Poll.until(Duration.ofSeconds(10), () -> raw.served("slow") - before == 20),
          "only " + (raw.served("slow") - before) + " of 20 streams reached the upstream");
      long t0 = System.nanoTime();
      boolean released = Poll.until(STALL_TIMEOUT.plus(MARGIN), () -> raw.open("slow") == 0);
      expect(
          released,
          raw.open("slow")
              + " of 20 upstream streams still open "
              + Duration.ofNanos(System.nanoTime() - t0).toMillis()
              + " ms after they began (route timeout "
              + STALL_TIMEOUT
              + ")");
    } finally {
      clients.forEach(RawClient::close);
    }
  }

  @Test
  void hugeMaxTokensWhoseUpstreamFails_doesNotDrainTheTokenBudget() throws Exception {
    Http.Response failed =
        http.post(
            sidecar.port(),
            "/v1/chat/completions",
            "{\"model\":\"tpm\",\"max_tokens\":1000000000000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    expect(failed.status() >= 500, "the failing upstream call was answered " + failed);
    for (int i = 0; i < 3; i++) {
      Http.Response r = http.chat(sidecar.port(), "tpm", "a normal question");
      expect(r.status() == 200, "normal request " + (i + 1) + " after the failed one got " + r);
    }
  }

  @Test
  void restrictedRequestWhoseInClusterTargetFails_namesTheClassAndTheWithheldBackends()
      throws Exception {
    Http.Response r =
        http.chat(sidecar.port(), "guarded", "hello", "X-AIHandler-Data-Class", "restricted");
    Envelope e = Envelope.parse(r.body());
    expect(
        r.status() >= 500 && e.wellFormed() && e.code() != null && e.code().contains("data_policy"),
        "expected a 5xx with a data_policy code, saw " + r);
    expect(
        e.message().contains("restricted") && e.message().contains("outside"),
        "the message does not name the class and the withheld backend: " + e.message());
    expect(outside.count() == 0, "the external backend got " + outside.count() + " requests");
  }

  private void expectUpstreamClosed(String prefix) {
    expect(
        Poll.until(Duration.ofSeconds(5), () -> raw.open(prefix) == 0),
        "the sidecar still reads the upstream's answer 5 s after it answered the client");
  }
}
