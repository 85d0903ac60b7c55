package io.aihandler.router.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Serves HTTP/1.0 requests, which Helidon's HTTP/1.1 connection refuses with 505. HTTP/1.1 is meant
 * to serve 1.0 clients (RFC 9110 §2.5), and small tools and health scripts still send 1.0. The
 * request line's version is rewritten to 1.1 before Helidon parses it, with {@code Connection:
 * close} (1.0's default), a {@code Host} when the request has none (1.0 does not require one), and
 * {@link #MARKER} so the API can refuse a stream, whose chunked framing a 1.0 client cannot read.
 */
final class Http10Compatibility implements ServerConnectionSelector {

  /** Set on requests that arrived as HTTP/1.0. */
  static final String MARKER = "x-aihandler-http10";

  private static final byte[] VERSION_10 = " HTTP/1.0".getBytes(StandardCharsets.US_ASCII);

  private final ServerConnectionSelector http11;

  Http10Compatibility(ServerConnectionSelector http11) {
    this.http11 = http11;
  }

  @Override
  public int bytesToIdentifyConnection() {
    return 0;
  }

  @Override
  public Support supports(BufferData data) {
    int lf = data.indexOf((byte) '\n');
    if (lf < 1) {
      return Support.UNKNOWN;
    }
    byte[] line = new byte[lf];
    data.read(line);
    return endsWithVersion10(line, lf - 1) ? Support.SUPPORTED : Support.UNSUPPORTED;
  }

  @Override
  public Set<String> supportedApplicationProtocols() {
    return Set.of();
  }

  @Override
  public ServerConnection connection(ConnectionContext ctx) {
    return http11.connection(new Rewritten(ctx));
  }

  /** Whether {@code bytes[0..crAt)} ends with " HTTP/1.0" and {@code bytes[crAt]} is CR. */
  private static boolean endsWithVersion10(byte[] bytes, int crAt) {
    if (crAt < VERSION_10.length || bytes[crAt] != '\r') {
      return false;
    }
    for (int i = 0; i < VERSION_10.length; i++) {
      if (bytes[crAt - VERSION_10.length + i] != VERSION_10[i]) {
        return false;
      }
    }
    return true;
  }

  /** The bytes first read from the connection, with the request line made HTTP/1.1. */
  static byte[] rewrite(byte[] head) {
    int lf = indexOf(head, (byte) '\n', 0);
    if (lf < 1 || !endsWithVersion10(head, lf - 1)) {
      return head;
    }
    String rest = new String(head, lf + 1, head.length - lf - 1, StandardCharsets.ISO_8859_1);
    boolean hasHost =
        rest.regionMatches(true, 0, "host:", 0, 5)
            || rest.toLowerCase(java.util.Locale.ROOT).contains("\nhost:");
    String added =
        "Connection: close\r\n" + MARKER + ": 1\r\n" + (hasHost ? "" : "Host: localhost\r\n");
    byte[] extra = added.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + extra.length];
    System.arraycopy(head, 0, out, 0, lf + 1);
    out[lf - 2] = '1'; // "HTTP/1.0\r" -> "HTTP/1.1\r"
    System.arraycopy(extra, 0, out, lf + 1, extra.length);
    System.arraycopy(head, lf + 1, out, lf + 1 + extra.length, head.length - lf - 1);
    return out;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The connection's context with a reader that rewrites the first bytes. */
  private static final class Rewritten implements ConnectionContext {
    private final ConnectionContext delegate;
    private final DataReader reader;

    Rewritten(ConnectionContext delegate) {
      this.delegate = delegate;
      DataReader original = delegate.dataReader();
      boolean[] first = {true};
      this.reader =
          DataReader.create(
              () -> {
                if (first[0]) {
                  first[0] = false;
                  return rewrite(original.readBytes(original.available()));
                }
                try {
                  original.pullData();
                } catch (DataReader.InsufficientDataAvailableException end) {
                  return null;
                }
                return original.readBytes(original.available());
              });
    }

    @Override
    public DataReader dataReader() {
      return reader;
    }

    @Override
    public ListenerContext listenerContext() {
      return delegate.listenerContext();
    }

    @Override
    public ExecutorService executor() {
      return delegate.executor();
    }

    @Override
    public DataWriter dataWriter() {
      return delegate.dataWriter();
    }

    @Override
    public Router router() {
      return delegate.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
      return delegate.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
      return delegate.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
      return delegate.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
      return delegate.localPeer();
    }

    @Override
    public boolean isSecure() {
      return delegate.isSecure();
    }

    @Override
    public String socketId() {
      return delegate.socketId();
    }

    @Override
    public String childSocketId() {
      return delegate.childSocketId();
    }
  }
}
