package io.aihandler.router.abuse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Many connections to one port, watched from one selector: silent ones (connect, send nothing) or
 * kept-alive ones (one request each, then idle). Counts which got an answer and which the server
 * closed.
 */
public final class ConnectionFlood implements AutoCloseable {

  private static final class Conn {
    final SocketChannel channel;
    final StringBuilder received = new StringBuilder();
    boolean closedByServer;

    Conn(SocketChannel channel) {
      this.channel = channel;
    }

    boolean answered() {
      return received.indexOf("\r\n\r\n") > 0;
    }
  }

  private final Selector selector;
  private final List<Conn> conns = new ArrayList<>();
  private int refused;

  private ConnectionFlood(int port, int count, String request) throws IOException {
    selector = Selector.open();
    byte[] bytes = request == null ? null : request.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < count; i++) {
      SocketChannel ch;
      try {
        ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        if (bytes != null) {
          ch.write(ByteBuffer.wrap(bytes));
        }
      } catch (IOException e) {
        refused++;
        continue;
      }
      ch.configureBlocking(false);
      Conn c = new Conn(ch);
      ch.register(selector, SelectionKey.OP_READ, c);
      conns.add(c);
    }
  }

  /** Connections that send nothing at all. */
  public static ConnectionFlood silent(int port, int count) throws IOException {
    return new ConnectionFlood(port, count, null);
  }

  /** Connections that each send one keep-alive {@code GET path}, then stay open and idle. */
  public static ConnectionFlood keepAlive(int port, int count, String path) throws IOException {
    return new ConnectionFlood(
        port,
        count,
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
  }

  /** Connections that each send this one request (raw HTTP/1.1, keep-alive), then stay open. */
  public static ConnectionFlood afterRequest(int port, int count, String rawRequest)
      throws IOException {
    return new ConnectionFlood(port, count, rawRequest);
  }

  /** Reads whatever arrives until {@code done} holds or the time runs out. */
  private void pump(Duration timeout, java.util.function.BooleanSupplier done) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    while (!done.getAsBoolean()) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return;
      }
      selector.select(Math.min(left, 100));
      for (SelectionKey key : selector.selectedKeys()) {
        Conn c = (Conn) key.attachment();
        buf.clear();
        int n;
        try {
          n = c.channel.read(buf);
        } catch (IOException reset) {
          n = -1;
        }
        if (n < 0) {
          c.closedByServer = true;
          key.cancel();
        } else if (n > 0 && c.received.length() < 4096) {
          c.received.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        }
      }
      selector.selectedKeys().clear();
    }
  }

  /** Waits until every connection was answered or closed; the number answered. */
  public int awaitAnswers(Duration timeout) throws IOException {
    pump(timeout, () -> conns.stream().allMatch(c -> c.answered() || c.closedByServer));
    return answered();
  }

  /** Waits until the server closed them all (or the time runs out); the number it closed. */
  public int awaitClosedByServer(Duration timeout) throws IOException {
    pump(timeout, () -> conns.stream().allMatch(c -> c.closedByServer));
    return closedByServer();
  }

  public int answered() {
    return (int) conns.stream().filter(Conn::answered).count();
  }

  public int closedByServer() {
    return (int) conns.stream().filter(c -> c.closedByServer).count();
  }

  /** Connections the server did not even accept. */
  public int refused() {
    return refused;
  }

  public int opened() {
    return conns.size();
  }

  @Override
  public void close() {
    for (Conn c : conns) {
      try {
        c.channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public String toString() {
    return opened()
        + " open ("
        + refused
        + " refused), "
        + answered()
        + " answered, "
        + closedByServer()
        + " closed by the server";
  }
}
