package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.Sidecar;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A streaming client that stops reading must not hold its upstream connection open: the request's
 * timeout and the stream-idle limit bound writes to the client too, and when one is outlasted the
 * upstream call is cancelled and the client connection closed.
 */
class StalledClientTest {

  private static final int CLIENTS = 6;
  private static final long TIMEOUT_MS = 2_000;

  @TempDir Path dir;
  TalkativeUpstream upstream;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    upstream = new TalkativeUpstream();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: llama, provider: vllm, baseUrl: "http://127.0.0.1:%d/v1", model: llama}
            routes:
              - name: chat
                targets: [{backend: llama}]
                timeout: %dms
                perTryTimeout: 1s
                streamIdleTimeout: 600ms
            """
                .formatted(upstream.port(), TIMEOUT_MS));
  }

  @AfterEach
  void stop() throws IOException {
    sidecar.close();
    upstream.close();
  }

  @ParameterizedTest(name = "upstream body {0}")
  @ValueSource(booleans = {true, false})
  void clientsThatStopReadingHaveTheirUpstreamCallsCancelledWithinTheLimits(boolean chunked)
      throws Exception {
    upstream.chunked = chunked;
    List<Socket> clients = new ArrayList<>();
    long started = System.nanoTime();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        Socket client = new Socket();
        client.setReceiveBufferSize(4096);
        client.connect(new InetSocketAddress("127.0.0.1", sidecar.main.port()), 2000);
        client.getOutputStream().write(request());
        client.getOutputStream().flush();
        clients.add(client); // and never read from
      }
      long until = started + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS + 3_000);
      while (upstream.cutOff.size() < CLIENTS && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(upstream.cutOff)
          .as("upstream connections closed by the sidecar within timeout + margin")
          .hasSize(CLIENTS);
      for (long at : upstream.cutOff) {
        assertThat(TimeUnit.NANOSECONDS.toMillis(at - started)).isLessThan(TIMEOUT_MS + 2_000);
      }
      for (Socket client : clients) {
        assertThat(drainsToEnd(client)).as("the client connection is closed").isTrue();
      }
    } finally {
      for (Socket c : clients) {
        c.close();
      }
    }
    assertThat(sidecar.metrics()).doesNotContain("outcome=\"internal_error\"");
  }

  /** Reads whatever the sidecar had sent until the connection ends; false if it stays open. */
  private static boolean drainsToEnd(Socket client) throws IOException {
    client.setSoTimeout(3_000);
    InputStream in = client.getInputStream();
    byte[] buffer = new byte[64 * 1024];
    try {
      while (in.read(buffer) >= 0) {
        // discard
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static byte[] request() {
    String body =
        "{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Talk.\"}]}";
    return ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + body.getBytes(StandardCharsets.UTF_8).length
            + "\r\n\r\n"
            + body)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * An OpenAI-compatible upstream that streams big chunks without pause for a minute, and notes
   * when a connection was cut off under it.
   */
  static final class TalkativeUpstream implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final ConcurrentLinkedQueue<Long> cutOff = new ConcurrentLinkedQueue<>();

    /** Chunked framing, or none: the body ends when the connection does. */
    volatile boolean chunked = true;

    TalkativeUpstream() throws IOException {
      Thread.ofVirtual().start(this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofVirtual().start(() -> serve(s));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        int length = 0;
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.readNBytes(length);
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    + (chunked ? "transfer-encoding: chunked\r\n" : "")
                    + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String event =
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + "x".repeat(8000)
                + "\"},\"finish_reason\":null}]}\n\n";
        byte[] bytes = event.getBytes(StandardCharsets.US_ASCII);
        byte[] chunk =
            chunked
                ? (Integer.toHexString(bytes.length) + "\r\n" + event + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII)
                : bytes;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
          out.write(chunk);
          out.flush();
          Thread.sleep(1);
        }
      } catch (IOException cut) {
        cutOff.add(System.nanoTime());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
