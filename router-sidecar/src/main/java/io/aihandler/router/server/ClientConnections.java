package io.aihandler.router.server;

import io.aihandler.router.runtime.CoarseTimer;
import io.aihandler.router.runtime.ColdCapacity;
import io.helidon.common.socket.HelidonSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections one listener has accepted, and the limits Helidon's server does not keep on them:
 *
 * <ul>
 *   <li><b>Request heads in time.</b> A new connection's first request line and headers must all
 *       arrive within {@code firstHeadTimeout} of its accept (the shorter of the head and idle
 *       limits: a connection that sends nothing is idle), and every later request's headers within
 *       {@code headerReadTimeout} of its request line. A client that connects and sends nothing, or
 *       dribbles its head a byte at a time (every single read well under the socket's timeout), has
 *       its connection closed.
 *   <li><b>A free slot for new clients.</b> When a new connection fills the listener, the
 *       longest-idle connection is closed, as nginx does with its keep-alive connections; without
 *       it, parked connections would make every new one wait in the backlog until the idle timeout.
 *       A connection is busy from its request line until the routing has answered it (a stream
 *       included), and only idle ones are ever closed.
 *   <li><b>Held requests whose clients leave.</b> A request held for a cold backend has its
 *       connection watched ({@link HeldConnection}), so a client that closes it ends the hold.
 * </ul>
 *
 * <p>Closing a channel ends the read its connection's thread is blocked in. Connections are known
 * by their peer's address and port, unique on one listener; the registry is pruned of closed ones
 * on every accept, so it holds no more than the listener's open connections.
 */
final class ClientConnections {

  private static final System.Logger LOG = System.getLogger(ClientConnections.class.getName());

  /** One accepted connection. */
  private static final class Slot {
    final SocketChannel channel;
    final int readTimeoutMillis;
    volatile boolean busy;
    volatile long idleSince = System.nanoTime();
    volatile HelidonSocket socket; // Helidon's, known from the first request line on
    private CoarseTimer.Armed headDue;

    Slot(SocketChannel channel, int readTimeoutMillis) {
      this.channel = channel;
      this.readTimeoutMillis = readTimeoutMillis;
    }

    synchronized void headDue(CoarseTimer.Armed timer) {
      if (headDue != null) {
        headDue.cancel();
      }
      headDue = timer;
    }

    synchronized void headArrived() {
      headDue(null);
    }

    void close() {
      headArrived();
      try {
        channel.close();
      } catch (IOException ignored) {
        // closed already
      }
    }
  }

  private final ServerTimers timers;
  private final Duration headerReadTimeout;
  private final Duration firstHeadTimeout;
  private final int maxConnections;
  private final Map<String, Slot> open = new ConcurrentHashMap<>();

  ClientConnections(ServerTimers timers, Duration headerReadTimeout, int maxConnections) {
    this(timers, headerReadTimeout, headerReadTimeout, maxConnections);
  }

  /**
   * @param firstHeadTimeout how long after its accept a connection's first request head may
   *     complete
   */
  ClientConnections(
      ServerTimers timers,
      Duration headerReadTimeout,
      Duration firstHeadTimeout,
      int maxConnections) {
    this.timers = timers;
    this.headerReadTimeout = headerReadTimeout;
    this.firstHeadTimeout = firstHeadTimeout;
    this.maxConnections = maxConnections;
  }

  /** A connection was just accepted: its first request head is due, and a slot is kept free. */
  synchronized void accepted(SocketChannel channel) {
    open.values()
        .removeIf(
            s -> {
              if (s.channel.isOpen()) {
                return false;
              }
              s.headArrived(); // drops the timer of a connection that is gone
              return true;
            });
    String key;
    int readTimeout;
    try {
      key = key((InetSocketAddress) channel.getRemoteAddress());
      readTimeout = channel.socket().getSoTimeout();
    } catch (IOException | ClassCastException e) {
      return;
    }
    Slot slot = new Slot(channel, readTimeout);
    open.put(key, slot);
    slot.headDue(timers.schedule(firstHeadTimeout, slot::close));
    if (open.size() >= maxConnections) {
      closeLongestIdle(slot);
    }
  }

  private void closeLongestIdle(Slot keep) {
    Slot oldest = null;
    for (Slot s : open.values()) {
      if (!s.busy && s != keep && (oldest == null || s.idleSince < oldest.idleSince)) {
        oldest = s;
      }
    }
    if (oldest != null) {
      oldest.close();
      open.values().remove(oldest);
      LOG.log(System.Logger.Level.DEBUG, "listener full: closed its longest-idle connection");
    }
  }

  /**
   * The connection from this peer read a request line: busy, and its headers are due.
   *
   * @param socket Helidon's socket of the connection; null if it has none to give
   */
  void requestStarted(String host, int port, HelidonSocket socket) {
    Slot s = open.get(key(host, port));
    if (s != null) {
      s.busy = true;
      if (s.socket == null) {
        s.socket = socket;
      }
      synchronized (s) {
        if (s.headDue == null) { // the first request's head has been due since the accept
          s.headDue(timers.schedule(headerReadTimeout, s::close));
        }
      }
    }
  }

  /** The connection from this peer read its request's headers in time. */
  void headersArrived(String host, int port) {
    Slot s = open.get(key(host, port));
    if (s != null) {
      s.headArrived();
    }
  }

  /** The connection from this peer has been answered and waits for its next request. */
  void requestEnded(String host, int port) {
    Slot s = open.get(key(host, port));
    if (s != null) {
      s.idleSince = System.nanoTime();
      s.busy = false;
    }
  }

  /**
   * What tells whether the client of the request now on this peer's connection has left while the
   * request is held; {@link ColdCapacity.ClientWatch#NONE} for a connection not known here.
   */
  ColdCapacity.ClientWatch watch(String host, int port) {
    Slot s = open.get(key(host, port));
    if (s == null || s.socket == null || !s.channel.isOpen()) {
      return ColdCapacity.ClientWatch.NONE;
    }
    return new HeldConnection(s.socket, s.channel.socket(), s.readTimeoutMillis);
  }

  /** The most connections the listener keeps open. */
  int maxConnections() {
    return maxConnections;
  }

  /** Connections open now, as far as this listener has seen. */
  int open() {
    return open.size();
  }

  private static String key(InetSocketAddress peer) {
    return key(peer.getHostString(), peer.getPort());
  }

  private static String key(String host, int port) {
    return host + ":" + port;
  }
}
