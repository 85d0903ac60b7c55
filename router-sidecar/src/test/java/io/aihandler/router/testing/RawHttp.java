package io.aihandler.router.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A client that writes exactly the bytes a test gives it, at the pace it chooses: the way to send
 * what no well-behaved HTTP client sends (dribbled headers, broken chunk sizes, HTTP/1.0).
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;

  public RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
  }

  public RawHttp write(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** Everything the server sends until it closes the connection or {@code millis} pass. */
  public Reply readUntilClosed(long millis) throws IOException {
    long until = System.nanoTime() + millis * 1_000_000;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[8192];
    while (true) {
      long left = (until - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return new Reply(got.toString(StandardCharsets.ISO_8859_1), false);
      }
      socket.setSoTimeout((int) Math.max(1, left));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        return new Reply(got.toString(StandardCharsets.ISO_8859_1), false);
      } catch (IOException reset) {
        return new Reply(got.toString(StandardCharsets.ISO_8859_1), true);
      }
      if (n < 0) {
        return new Reply(got.toString(StandardCharsets.ISO_8859_1), true);
      }
      got.write(buf, 0, n);
    }
  }

  /** What came back: the raw bytes as text, and whether the server closed the connection. */
  public record Reply(String text, boolean closed) {
    public int status() {
      if (!text.startsWith("HTTP/1.")) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    public String body() {
      int at = text.indexOf("\r\n\r\n");
      return at < 0 ? "" : text.substring(at + 4);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
