package io.aihandler.router.server;

import io.aihandler.router.runtime.ColdCapacity;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * The client connection of a held request, watched for the client closing it. Nothing is written to
 * a held non-streaming request, and nothing is read from its connection while the handler waits
 * either: a client that leaves is seen only by reading. The read is Helidon's own socket idle mode
 * ({@link HelidonSocket#idle()}), in which a monitor reads one byte at a time in the background: an
 * end of stream or a reset closes it ({@link HelidonSocket#isConnected()} false), and a byte that
 * does arrive (the next request of a pipelining client) is kept for the connection's next read, so
 * nothing the client sent is lost.
 *
 * <p>The monitor gives up, and takes the connection as closed, once its reads have waited as long
 * as the socket's read timeout, if the socket has one; a hold may last far longer. So while watched
 * the socket's read timeout is made as long as can be. When the hold ends, the monitor is ended on
 * the request's own thread (a read of no bytes, which waits for it: a tenth of a second at most,
 * against a hold of seconds), and only then is the timeout set back: the monitor is never left
 * reading beside the request, nor can it set back the long timeout after us.
 *
 * <p>A client that only half-closes its connection (shuts down its output, still reading) is taken
 * as gone, as nginx does for a request it proxies.
 */
final class HeldConnection implements ColdCapacity.ClientWatch {

  private static final System.Logger LOG = System.getLogger(HeldConnection.class.getName());

  /** The monitor's reads wait in steps; this many milliseconds is over 24 days of them. */
  private static final int WATCHED_READ_TIMEOUT_MILLIS = Integer.MAX_VALUE;

  private final HelidonSocket socket;
  private final Socket tcp;
  private final int readTimeoutMillis;
  private boolean watching; // on the request's thread only
  private volatile boolean lost;

  /**
   * @param socket Helidon's socket of the connection, which reads it
   * @param tcp the same connection's socket, whose read timeout the monitor follows
   * @param readTimeoutMillis the connection's own read timeout, set back after a hold
   */
  HeldConnection(HelidonSocket socket, Socket tcp, int readTimeoutMillis) {
    this.socket = socket;
    this.tcp = tcp;
    this.readTimeoutMillis = readTimeoutMillis;
  }

  @Override
  public void start() {
    try {
      tcp.setSoTimeout(WATCHED_READ_TIMEOUT_MILLIS);
    } catch (SocketException closed) {
      lost = true;
      return;
    }
    watching = true;
    socket.idle();
  }

  @Override
  public boolean gone() {
    return lost || !socket.isConnected();
  }

  @Override
  public void stop() {
    if (!watching) {
      return;
    }
    watching = false;
    endMonitor();
    try {
      tcp.setSoTimeout(readTimeoutMillis);
    } catch (SocketException closed) {
      LOG.log(System.Logger.Level.TRACE, "a held connection closed before its hold ended");
    }
  }

  /**
   * Every read of Helidon's socket first waits for its idle monitor to end; one of no bytes reads
   * nothing else, so a byte the monitor kept stays for the next request.
   */
  @SuppressWarnings("removal") // the only read that takes no byte from the connection
  private void endMonitor() {
    try {
      socket.read(BufferData.create(0));
    } catch (RuntimeException failed) {
      lost = true; // the monitor met a reset, or the connection was closed under it
    }
  }
}
