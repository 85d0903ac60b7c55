package io.aihandler.router.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a connection slot free for new clients by closing the longest-idle keep-alive connection
 * when a listener is full, as nginx does with its keep-alive connections. Without it, a client
 * that parks hundreds of idle connections would make every new connection wait in the backlog
 * until the idle timeout frees a slot. A connection is busy from its request line until the
 * routing has answered it (a stream included), and only idle ones are ever closed.
 *
 * <p>One instance per listener: there, a connection is known by its peer's address and port.
 */
final class IdleConnectionEviction {

  private static final System.Logger LOG = System.getLogger(IdleConnectionEviction.class.getName());

  /** One accepted connection. */
  private static final class Slot {
    final SocketChannel channel;
    volatile boolean busy;
    volatile long idleSince = System.nanoTime();

    Slot(SocketChannel channel) {
      this.channel = channel;
    }
  }

  private final int maxConnections;
  private final Map<String, Slot> open = new ConcurrentHashMap<>();

  IdleConnectionEviction(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /**
   * A connection was just accepted: when this fills the listener, the longest-idle connection is
   * closed so the next client finds a free slot.
   */
  synchronized void accepted(SocketChannel channel) {
    open.values().removeIf(s -> !s.channel.isOpen());
    try {
      open.put(key((InetSocketAddress) channel.getRemoteAddress()), new Slot(channel));
    } catch (IOException | ClassCastException e) {
      return;
    }
    if (open.size() < maxConnections) {
      return;
    }
    Slot oldest = null;
    for (Slot s : open.values()) {
      if (!s.busy && s.channel != channel && (oldest == null || s.idleSince < oldest.idleSince)) {
        oldest = s;
      }
    }
    if (oldest != null) {
      try {
        oldest.channel.close();
      } catch (IOException ignored) {
        // closed already
      }
      open.values().remove(oldest);
      LOG.log(System.Logger.Level.DEBUG, "listener full: closed its longest-idle connection");
    }
  }

  /** The connection from this peer began a request. */
  void requestStarted(String host, int port) {
    Slot s = open.get(host + ":" + port);
    if (s != null) {
      s.busy = true;
    }
  }

  /** The connection from this peer has been answered and waits for its next request. */
  void requestEnded(String host, int port) {
    Slot s = open.get(host + ":" + port);
    if (s != null) {
      s.idleSince = System.nanoTime();
      s.busy = false;
    }
  }

  /** Connections open now, as far as this listener has seen. */
  int open() {
    return open.size();
  }

  private static String key(InetSocketAddress peer) {
    return peer.getHostString() + ":" + peer.getPort();
  }
}
