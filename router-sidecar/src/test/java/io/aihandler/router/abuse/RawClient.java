package io.aihandler.router.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection to the sidecar that writes exactly the bytes a probe chooses (broken framing,
 * one byte at a time, HTTP/1.0) and reads the raw answer.
 */
public final class RawClient implements AutoCloseable {

  /** What came back: a response, or the connection closed (or timed out) without one. */
  public record Reply(int status, Map<String, String> headers, String body, String outcome) {

    public static Reply closed() {
      return new Reply(-1, Map.of(), "", "closed without a response");
    }

    public static Reply timedOut() {
      return new Reply(-1, Map.of(), "", "no response and still open");
    }

    public boolean answered() {
      return status > 0;
    }

    @Override
    public String toString() {
      return answered() ? "HTTP " + status + " " + Text.clip(body, 400) : outcome;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static RawClient connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return new RawClient(s);
  }

  /** A connection that reads slowly: a small receive buffer, set before connecting. */
  public static RawClient connectWithReceiveBuffer(int port, int bytes) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(bytes);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return new RawClient(s);
  }

  public RawClient send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  public RawClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** A request with a Content-Length body. */
  public static String request(String method, String target, String version, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return method
        + " "
        + target
        + " "
        + version
        + "\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: "
        + b.length
        + "\r\n\r\n"
        + body;
  }

  /** Reads one response, waiting at most this long for it to begin and end. */
  public Reply read(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      String head = readHead(deadline);
      if (head == null) {
        return Reply.closed();
      }
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(
              lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(colon + 1).trim());
        }
      }
      byte[] body;
      if (headers.containsKey("content-length")) {
        body = readN(Integer.parseInt(headers.get("content-length")), deadline);
      } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
        body = readChunked(deadline);
      } else {
        body = readToEnd(deadline);
      }
      return new Reply(status, headers, new String(body, StandardCharsets.UTF_8), "answered");
    } catch (SocketTimeoutException e) {
      return Reply.timedOut();
    } catch (java.net.SocketException e) {
      return Reply.closed();
    }
  }

  /** True when the server closes the connection (EOF or reset) within the timeout. */
  public boolean closedWithin(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] sink = new byte[8192];
    try {
      while (true) {
        setTimeout(deadline);
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private void setTimeout(long deadline) throws IOException {
    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    if (deadline - System.nanoTime() <= 0) {
      throw new SocketTimeoutException("deadline");
    }
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
  }

  private String readHead(long deadline) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    while (true) {
      setTimeout(deadline);
      int c = in.read();
      if (c < 0) {
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
      }
      b.write(c);
      matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
      if (matched == 4) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
  }

  private byte[] readN(int n, long deadline) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (b.size() < n) {
      setTimeout(deadline);
      int r = in.read(buf, 0, Math.min(buf.length, n - b.size()));
      if (r < 0) {
        break;
      }
      b.write(buf, 0, r);
    }
    return b.toByteArray();
  }

  private String readLine(long deadline) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      setTimeout(deadline);
      int c = in.read();
      if (c < 0 || c == '\n') {
        return b.toString(StandardCharsets.ISO_8859_1).strip();
      }
      b.write(c);
    }
  }

  private byte[] readChunked(long deadline) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(deadline);
      if (size.isEmpty()) {
        return b.toByteArray();
      }
      int n = Integer.parseInt(size.split(";")[0], 16);
      if (n == 0) {
        readLine(deadline);
        return b.toByteArray();
      }
      b.writeBytes(readN(n, deadline));
      readLine(deadline);
    }
  }

  private byte[] readToEnd(long deadline) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      while (true) {
        setTimeout(deadline);
        int r = in.read(buf);
        if (r < 0) {
          return b.toByteArray();
        }
        b.write(buf, 0, r);
      }
    } catch (java.net.SocketException e) {
      return b.toByteArray();
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
