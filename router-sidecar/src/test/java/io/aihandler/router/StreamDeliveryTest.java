package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed answers reach a client on a kept-alive connection as they are made. Each event is its
 * own small write; with Nagle's algorithm on the client connection, every write after the first
 * waits for the client's delayed acknowledgement (40 ms on Linux), so each stream would take at
 * least 40 ms however fast the model is. A regression guard with a generous bound, not a benchmark.
 */
class StreamDeliveryTest {

  private static final int STREAMS = 7;
  private static final int PIECES =
      18; // + role, finish and usage chunks: 21 events, as OpenAI sends

  @TempDir Path dir;
  MockWebServer openai;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    // Providers' servers send without Nagle's delay (nginx tcp_nodelay, uvicorn): so must the mock,
    // or its own headers-then-body writes would show the very delay this test looks for.
    openai.setServerSocketFactory(new NoDelayServerSocketFactory());
    openai.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - name: llama
                provider: vllm
                baseUrl: "%s"
                model: llama-3.3-70b
            routes:
              - name: chat
                targets: [{backend: llama}]
                circuitBreaker: {minimumCalls: 2, windowSize: 2, failureRateThreshold: 50, openDuration: 1m}
            """
                .formatted(openai.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    openai.close();
  }

  @Test
  void streamsOnAKeptAliveConnectionAreNotHeldBackByDelayedAcknowledgements() throws Exception {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < PIECES; i++) {
      pieces.add("token" + i + " ");
    }
    for (int i = 0; i < STREAMS; i++) {
      openai.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(pieces, true)));
    }
    byte[] request = request();
    List<Long> millis = new ArrayList<>();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", sidecar.main.port()), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = 0; i < STREAMS; i++) {
        long started = System.nanoTime();
        out.write(request);
        out.flush();
        String body = readChunkedResponse(in);
        long took = (System.nanoTime() - started) / 1_000_000;
        assertThat(body).contains("token" + (PIECES - 1)).endsWith("data: [DONE]\n\n");
        assertThat(body.split("\n\n")).hasSize(PIECES + 3); // role, pieces, finish, [DONE]
        if (i > 0) {
          // The first exchange runs while the client still acknowledges at once (TCP quick-ack);
          // delayed acknowledgements start on the kept-alive connection after it.
          millis.add(took);
        }
      }
    }
    Collections.sort(millis);
    long median = millis.get(millis.size() / 2);
    assertThat(median)
        .as(
            "median time of a %d-event stream on a kept-alive connection, ms (all: %s)",
            PIECES + 3, millis)
        .isLessThan(30);
  }

  /** Server sockets whose accepted connections have TCP_NODELAY set. */
  private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket s = super.accept();
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }
  }

  @Test
  void aClientLeavingMidStreamDoesNotCountAgainstTheBackendsCircuit() throws Exception {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < PIECES; i++) {
      pieces.add("token" + i + " ");
    }
    List<String> events = OpenAiFixtures.streamEvents(pieces, true);
    StringBuilder body = new StringBuilder();
    for (String e : events) {
      body.append("data: ").append(e).append("\n\n");
    }
    int leaving = 3;
    for (int i = 0; i < leaving; i++) {
      // About one event every 30 ms: the client is gone long before the stream ends.
      openai.enqueue(
          new MockResponse.Builder()
              .code(200)
              .addHeader("content-type", "text/event-stream; charset=utf-8")
              .body(body.toString())
              .throttleBody(body.length() / events.size(), 30, TimeUnit.MILLISECONDS)
              .build());
    }
    openai.enqueue(OpenAiFixtures.sse(events));
    for (int i = 0; i < leaving; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", sidecar.main.port()), 2000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request());
        InputStream in = new BufferedInputStream(socket.getInputStream());
        assertThat(line(in)).startsWith("HTTP/1.1 200");
        // Reset rather than a graceful close: the sidecar's next write fails at once.
        socket.setSoLinger(true, 0);
      }
    }
    String leftEarly =
        "aihandler_requests_total{backend=\"llama\",endpoint=\"chat\",outcome=\"client_closed\",route=\"chat\",task=\"none\"} "
            + leaving
            + ".0";
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!sidecar.metrics().contains(leftEarly) && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(sidecar.metrics()).contains(leftEarly).doesNotContain("outcome=\"internal_error\"");

    var next =
        sidecar.post("/v1/chat/completions", new String(requestBody(), StandardCharsets.UTF_8));
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).endsWith("data: [DONE]\n\n");
    assertThat(sidecar.get("/readyz").body()).contains("\"circuit\":\"CLOSED\"");
  }

  private static byte[] requestBody() {
    return "{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Count.\"}]}"
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] request() {
    String body = new String(requestBody(), StandardCharsets.UTF_8);
    return ("POST /v1/chat/completions HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + requestBody().length
            + "\r\n"
            + "\r\n"
            + body)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Reads one HTTP/1.1 response with a chunked body; returns the body. */
  private static String readChunkedResponse(InputStream in) throws IOException {
    String status = line(in);
    assertThat(status).startsWith("HTTP/1.1 200");
    boolean chunked = false;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      chunked |= header.toLowerCase().startsWith("transfer-encoding: chunked");
    }
    assertThat(chunked).as("a stream is sent chunked").isTrue();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(line(in).trim(), 16);
      if (size == 0) {
        assertThat(line(in)).isEmpty();
        return body.toString(StandardCharsets.UTF_8);
      }
      body.write(in.readNBytes(size));
      assertThat(line(in)).isEmpty();
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        s.append((char) c);
      }
    }
    if (c == -1) {
      throw new IOException("the connection closed mid-response");
    }
    return s.toString();
  }
}
