package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.OpenAiFixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real sidecar process: the streaming request in flight finishes, new connections are
 * refused, and the process exits within {@code shutdownGrace}.
 */
class GracefulShutdownTest {

  private static final Pattern LISTENING =
      Pattern.compile("router listening on http://[^:]+:(\\d+)");
  private static final long GRACE_MS = 4_000;

  @TempDir Path dir;
  MockWebServer upstream;
  Process sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.destroyForcibly();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void anInFlightStreamFinishesNewConnectionsAreRefusedAndTheProcessExitsWithinTheGrace()
      throws Exception {
    upstream = new MockWebServer();
    upstream.start();
    List<String> pieces = List.of("one", " two", " three", " four", " five", " six");
    List<String> events = OpenAiFixtures.streamEvents(pieces, true);
    StringBuilder body = new StringBuilder();
    for (String e : events) {
      body.append("data: ").append(e).append("\n\n");
    }
    // About one event every 250ms: the stream lasts well over a second after SIGTERM.
    int perEvent = body.length() / events.size();
    upstream.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "text/event-stream; charset=utf-8")
            .body(body.toString())
            .throttleBody(perEvent, 250, TimeUnit.MILLISECONDS)
            .build());
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        """
        sidecar: {shutdownGrace: %dms, managementHost: 127.0.0.1}
        backends:
          - {name: local, provider: vllm, baseUrl: "%s", model: llama-3.3-70b}
        routes:
          - {name: main, targets: [{backend: local}]}
        """
            .formatted(GRACE_MS, upstream.url("/v1")));

    String java = ProcessHandle.current().info().command().orElse("java");
    sidecar =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                RouterMain.class.getName(),
                "--config",
                config.toString(),
                "--port",
                "0",
                "--management-port",
                "0")
            .redirectErrorStream(true)
            .start();
    int port = awaitPort(sidecar);

    HttpClient client = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> inFlight =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"main\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    RecordedRequest reached = upstream.takeRequest(10, TimeUnit.SECONDS);
    assertThat(reached).as("the request reached the upstream").isNotNull();

    long signalled = System.nanoTime();
    sidecar.destroy(); // SIGTERM

    assertThat(refusedWithin(port, 3_000))
        .as("new connections are refused while the stream runs")
        .isTrue();
    assertThat(inFlight.isDone())
        .as("the stream was still running when connections were refused")
        .isFalse();

    HttpResponse<String> r;
    try {
      r = inFlight.get(GRACE_MS + 5_000, TimeUnit.MILLISECONDS);
    } catch (CompletionException e) {
      throw new AssertionError("the in-flight request was cut", e);
    }
    assertThat(r.statusCode()).isEqualTo(200);
    for (String piece : pieces) {
      assertThat(r.body())
          .contains(OpenAiFixtures.streamEvents(List.of(piece), false).get(1).substring(0, 10));
    }
    assertThat(r.body()).contains("\" six\"").endsWith("data: [DONE]\n\n");

    assertThat(sidecar.waitFor(GRACE_MS + 3_000, TimeUnit.MILLISECONDS))
        .as("the process exited")
        .isTrue();
    long exitedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
    assertThat(exitedAfterMs).as("within the grace plus a margin").isLessThan(GRACE_MS + 3_000);
  }

  /** Reads the process's log until it names its API port. */
  private static int awaitPort(Process p) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    AtomicInteger port = new AtomicInteger(-1);
    String line;
    while ((line = out.readLine()) != null) {
      seen.add(line);
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        port.set(Integer.parseInt(m.group(1)));
        break;
      }
    }
    if (port.get() < 0) {
      throw new AssertionError("the sidecar did not start: " + String.join("\n", seen));
    }
    // Keep draining the log so the process never blocks on a full pipe.
    Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));
    return port.get();
  }

  private static boolean refusedWithin(int port, long millis) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < until) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      } catch (ConnectException refused) {
        return true;
      } catch (IOException other) {
        // e.g. a timeout: try again
      }
      Thread.sleep(20);
    }
    return false;
  }
}
