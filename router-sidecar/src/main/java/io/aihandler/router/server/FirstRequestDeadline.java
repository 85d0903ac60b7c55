package io.aihandler.router.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * Closes a new connection whose first request line and headers have not all arrived within
 * {@code headerReadTimeout} of its accept: a client that connects and sends nothing, or dribbles
 * its first request, gives up its connection slot that soon instead of after the idle timeout.
 * Later requests on a kept-alive connection are bounded by {@link RequestHeadTimeout}.
 *
 * <p>One instance per listener: there, a connection is known by its peer's address and port.
 */
final class FirstRequestDeadline {

  private final ServerTimers timers;
  private final Duration timeout;
  private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();

  FirstRequestDeadline(ServerTimers timers, Duration timeout) {
    this.timers = timers;
    this.timeout = timeout;
  }

  /** Starts the clock of a connection just accepted. */
  void accepted(SocketChannel channel) {
    String key;
    try {
      key = key((InetSocketAddress) channel.getRemoteAddress());
    } catch (IOException | ClassCastException e) {
      return;
    }
    ScheduledFuture<?> old =
        pending.put(key, timers.schedule(timeout, () -> expire(key, channel)));
    if (old != null) {
      old.cancel(false);
    }
  }

  /** The first request head of the connection from this peer arrived: its clock stops. */
  void headersArrived(String host, int port) {
    if (pending.isEmpty()) {
      return;
    }
    ScheduledFuture<?> timer = pending.remove(host + ":" + port);
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** Connections still waiting for their first request head. */
  int pending() {
    return pending.size();
  }

  private void expire(String key, SocketChannel channel) {
    if (pending.remove(key) != null) {
      try {
        // Closing the channel ends the read the connection's thread is blocked in.
        channel.close();
      } catch (IOException ignored) {
        // already closed by the client
      }
    }
  }

  private static String key(InetSocketAddress peer) {
    return peer.getHostString() + ":" + peer.getPort();
  }
}
