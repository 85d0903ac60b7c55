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
 * Each backend under test gets its own port and path prefix ({@code baseUrl:
 * http://127.0.0.1:P/<name>/v1}), so what one probe leaves in the sidecar's connection pool cannot
 * reach another, and its own {@link Answer}; open exchanges are counted per prefix.
 */
public final class RawUpstream implements AutoCloseable {

  /** Writes one raw HTTP response for a request (the request body is already read). */
  @FunctionalInterface
  public interface Answer {
    void write(String requestBody, OutputStream out) throws IOException;
  }

  private final Map<String, ServerSocket> servers = new ConcurrentHashMap<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  /** The base URL of the backend served under this prefix, on a port of its own. */
  public String baseUrl(String prefix) {
    ServerSocket server =
        servers.computeIfAbsent(
            prefix,
            p -> {
              try {
                ServerSocket s = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
                Thread.ofVirtual().start(() -> accept(s));
                return s;
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
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

  private void accept(ServerSocket server) {
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
      String body = new String(readBody(head, in), StandardCharsets.UTF_8);
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
      state =
          (c == '\r' && (state == 0 || state == 2))
              ? state + 1
              : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static byte[] readBody(String head, InputStream in) throws IOException {
    if (!head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      return in.readNBytes(contentLength(head));
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in).split(";")[0].trim();
      int n = Integer.parseInt(size, 16);
      if (n == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.writeBytes(in.readNBytes(n));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
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

  /**
   * A status line and headers, then the body bytes produced by {@code filler} up to {@code total}.
   */
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
    for (ServerSocket s : servers.values()) {
      s.close();
    }
  }
}
