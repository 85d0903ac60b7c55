package io.aihandler.router.abuse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Floods of requests for a backend with no ready replica (its address refuses connections and its
 * health probe never passes): held requests stay within {@code maxHeldRequests}, the rest are
 * refused at once, every one is answered in the OpenAI envelope, none of them restricted reaches
 * the external stand-in, and abandoned held streams free their slots.
 */
class FaultAndAbuseColdTest extends FaultAndAbuseBase {

  private static final int MAX_HELD = 20;
  private static final String EMAIL = "jane.doe@example.com";

  @Override
  protected RouterYaml config() {
    int refusing;
    try (ServerSocket s = new ServerSocket(0)) {
      refusing = s.getLocalPort();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return standard()
        .sidecar("maxHeldRequests: " + MAX_HELD)
        .sidecar("holdKeepAliveInterval: 200ms")
        .backend(
            "{name: cold, provider: vllm, baseUrl: \"http://127.0.0.1:"
                + refusing
                + "/v1\", model: llama, capacity: {state: scaled-to-zero, modelBackend: ml/llama}}")
        .route(
            "{name: coldmixed, coldStartTimeout: 2s, targets: [{backend: cold, priority: 0},"
                + " {backend: outside, priority: 1}]}")
        .defaultDataClass("public");
  }

  @Test
  void aFloodOfHeldRequests_atMostMaxHeldWait_theRestAreRefusedAtOnce() throws Exception {
    int n = 100;
    List<Http.Response> answers = new ArrayList<>();
    long started = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Http.Response>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        all.add(
            pool.submit(
                () -> {
                  // Each its own connection, closed once answered: a client that leaves one
                  // idle keeps the sidecar's end open too, up to sidecar.idleTimeout (30 s).
                  try (Http client = Http.fresh()) {
                    return client.chat(sidecar.port(), "coldmixed", "mail " + k + EMAIL);
                  }
                }));
      }
      for (Future<Http.Response> f : all) {
        answers.add(f.get(30, TimeUnit.SECONDS));
      }
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    int timedOut = 0;
    int refused = 0;
    Set<Long> timeoutRetryAfters = new HashSet<>();
    for (Http.Response r : answers) {
      expect(r.status() == 503, "a held or refused request got " + r);
      String body = r.body();
      long retryAfter = r.header("retry-after").map(Long::parseLong).orElse(-1L);
      if (body.contains("cold_start_timeout")) {
        timedOut++;
        // One probe interval (2 s) on, spread over a window as wide (coldStartTimeout 2s).
        expect(retryAfter >= 2 && retryAfter <= 4, "Retry-After " + retryAfter + " on " + r);
        timeoutRetryAfters.add(retryAfter);
      } else if (body.contains("hold_queue_full")) {
        refused++;
        // The next probe or the first held request's end, whichever is sooner, spread by one
        // probe interval.
        expect(retryAfter >= 1 && retryAfter <= 4, "Retry-After " + retryAfter + " on " + r);
      } else if (body.contains("overloaded")) {
        refused++;
        expect(retryAfter == 1, "Retry-After " + retryAfter + " on " + r);
      } else {
        expectError(r, 503, "cold_start_timeout");
      }
    }
    expect(timedOut <= MAX_HELD, timedOut + " were held, more than maxHeldRequests " + MAX_HELD);
    expect(timedOut > 0 && refused > 0, "held " + timedOut + ", refused " + refused);
    expect(
        timedOut < 4 || timeoutRetryAfters.size() > 1,
        "every timed-out request was told to come back in the same second: " + timeoutRetryAfters);
    expect(took < 15_000, "the flood took " + took + " ms");
    expect(outside.containing(EMAIL).isEmpty(), "restricted requests reached the external model");
    String page = metrics();
    expect(
        metric(page, "aihandler_held_requests{backend=\"cold\"}") == 0,
        "requests still held after the flood");
    // Every client is gone: the sidecar keeps none of their connections, nor any of its own.
    Footprint[] now = {sidecar.footprint()};
    expect(
        Poll.until(Duration.ofSeconds(5), () -> (now[0] = sidecar.footprint()).near(baseline())),
        "descriptors kept after the flood's clients left: before " + baseline() + ", " + now[0]);
  }

  private double heldNow() {
    try {
      return metric(metrics(), "aihandler_held_requests{backend=\"cold\"}");
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void publicRequestsSpillOverAtOnceWhileRestrictedOnesAreHeld() throws Exception {
    for (int i = 0; i < 20; i++) {
      Http.Response r = http.chat(sidecar.port(), "coldmixed", "what is on the menu " + i);
      expect(r.status() == 200, "a public request got " + r);
    }
    expect(outside.count() == 20, "the external stand-in saw " + outside.count());
    Http.Response restricted = http.chat(sidecar.port(), "coldmixed", "mail " + EMAIL);
    expectError(restricted, 503, "cold_start_timeout");
    expect(outside.containing(EMAIL).isEmpty(), "a restricted request reached the external model");
  }

  @Test
  void heldStreamsWhoseClientsLeave_freeTheirSlots() throws Exception {
    List<Socket> clients = new ArrayList<>();
    byte[] body =
        ("{\"model\":\"coldmixed\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"mail "
                + EMAIL
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    try {
      for (int i = 0; i < MAX_HELD; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), sidecar.port());
        clients.add(s);
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type:"
                    + " application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
      for (Socket s : clients) {
        s.setSoTimeout(5000);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals(": keep-alive")) {
          // status line and headers
        }
        expect(": keep-alive".equals(line), "a held stream got no keep-alive");
      }
    } finally {
      for (Socket s : clients) {
        s.close();
      }
    }
    expect(
        Poll.until(Duration.ofSeconds(5), () -> heldNow() == 0),
        "the abandoned held streams kept their slots");
    expect(outside.containing(EMAIL).isEmpty(), "a restricted stream reached the external model");
  }
}
