package io.aihandler.router.server;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * Bounds the time from a request line to the end of its headers. A client that dribbles its
 * headers a byte at a time keeps every single read under the socket's timeout; this limit closes
 * its connection once the whole head has taken longer than {@code headerReadTimeout}.
 *
 * <p>Helidon calls both listener methods on the connection's own thread, so the timer interrupts
 * that thread, which closes the socket it is blocked on.
 */
final class RequestHeadTimeout implements Http1ConnectionListener {

  private final ServerTimers timers;
  private final Duration timeout;
  private final FirstRequestDeadline firstRequest;
  private final IdleConnectionEviction eviction;
  private final Map<ConnectionContext, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();

  RequestHeadTimeout(
      ServerTimers timers,
      Duration timeout,
      FirstRequestDeadline firstRequest,
      IdleConnectionEviction eviction) {
    this.timers = timers;
    this.timeout = timeout;
    this.firstRequest = firstRequest;
    this.eviction = eviction;
  }

  @Override
  public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
    eviction.requestStarted(ctx.remotePeer().host(), ctx.remotePeer().port());
    Thread connectionThread = Thread.currentThread();
    ScheduledFuture<?> old =
        pending.put(ctx, timers.schedule(timeout, () -> expire(ctx, connectionThread)));
    if (old != null) {
      old.cancel(false);
    }
  }

  @Override
  public void headers(ConnectionContext ctx, Headers headers) {
    firstRequest.headersArrived(ctx.remotePeer().host(), ctx.remotePeer().port());
    ScheduledFuture<?> timer = pending.remove(ctx);
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void expire(ConnectionContext ctx, Thread connectionThread) {
    if (pending.remove(ctx) != null) {
      connectionThread.interrupt();
    }
  }

  /** Connections whose head is being read now (for tests and a bounded map). */
  int pending() {
    return pending.size();
  }
}
