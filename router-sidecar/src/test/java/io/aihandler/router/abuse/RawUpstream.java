package io.aihandler.router.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model API stand-in on a plain server socket, for answers a real HTTP library will not write:
 * bodies of hundreds of megabytes generated on the fly, close-delimited streams, endless lines.
 * Each backend under test gets its own path prefix ({@code baseUrl: http://127.0.0.1:P/<name>/v1})
 * and its own {@link Answer}; open exchanges are counted per prefix.
 */
public final class RawUpstream implements AutoCloseable {

  /** Writes one raw HTTP response for a request (the request body is already read). */
  @FunctionalInterface
  public interface Answer {
    void write(String requestBody, OutputStream out) throws IOException;
  }

  private final ServerSocket server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private final Thread acceptor;

  public RawUpstream() throws IOException {
    server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(this::accept);
  }

  /** The base URL of the backend served under this prefix. */
  public String baseUrl(String prefix) {
    return "http://127.0.0.1:" + server.getLocalPort() + "/" + prefix + "/v1";
  }

  public void answer(String prefix, Answer answer) {
    answers.put(prefix, answer);
  }

  /** Exchanges under this prefix whose connection is still open. */
  public int open(String prefix) {
    return open.computeIfAbsent(prefix, p -> new AtomicInteger()).get();
  }

  /** Requests received under this prefix. */
  public int served(String prefix) {
    return served.computeIfAbsent(prefix, p -> new AtomicInteger()).get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  /** One exchange per connection: every answer ends by closing it, framed or not. */
  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String target = head.split(" ", 3)[1];
      String prefix = target.length() > 1 ? target.substring(1).split("/", 2)[0] : "";
      String body = new String(in.readNBytes(contentLength(head)), StandardCharsets.UTF_8);
      Answer answer = answers.get(prefix);
      served.computeIfAbsent(prefix, p -> new AtomicInteger()).incrementAndGet();
      AtomicInteger count = open.computeIfAbsent(prefix, p -> new AtomicInteger());
      count.incrementAndGet();
      try {
        if (answer == null) {
          out.write(
              "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
        } else {
          answer.write(body, out);
        }
        out.flush();
      } finally {
        count.decrementAndGet();
      }
    } catch (IOException e) {
      // the sidecar closed the connection: that is what many probes wait for
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    int state = 0;
    while ((c = in.read()) >= 0) {
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }

  // ---- answers ----

  /** A status line and headers, then the body bytes produced by {@code filler} up to {@code total}. */
  public static void writeGenerated(
      OutputStream out, String statusAndHeaders, byte[] prefix, byte[] filler, long total)
      throws IOException {
    out.write(statusAndHeaders.getBytes(StandardCharsets.US_ASCII));
    out.write(prefix);
    long written = prefix.length;
    while (written < total) {
      int n = (int) Math.min(filler.length, total - written);
      out.write(filler, 0, n);
      written += n;
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
  }
}
