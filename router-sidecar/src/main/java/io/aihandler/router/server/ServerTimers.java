package io.aihandler.router.server;

import io.aihandler.router.runtime.CoarseTimer;
import io.aihandler.router.runtime.ThreadDeadline;
import io.aihandler.router.runtime.TimerTaskGuard;
import java.time.Duration;

/**
 * The server's own limits (request heads, bodies) on one coarse timer: each is armed and cancelled
 * once per request and almost never strikes, so it costs a set insertion and removal instead of a
 * timer queue's lock and thread wake-up. A limit strikes at most {@link #TICK} late. A task that
 * throws fails only its own run, and is logged and counted: the timer lives on.
 */
final class ServerTimers implements AutoCloseable {

  /** How late a server limit may strike. */
  static final Duration TICK = Duration.ofMillis(10);

  private final CoarseTimer timer;

  ServerTimers(TimerTaskGuard guard) {
    this.timer = new CoarseTimer("aihandler-server-timer", TICK, guard);
  }

  CoarseTimer.Armed schedule(Duration delay, Runnable task) {
    return timer.arm(delay, task);
  }

  /**
   * Interrupts the calling thread when the time runs out before {@link ThreadDeadline#finish}. On a
   * virtual thread blocked on a socket, the interrupt closes that socket and ends the wait.
   */
  ThreadDeadline deadline(Duration timeout) {
    return new ThreadDeadline(timeout, timer);
  }

  @Override
  public void close() {
    timer.close();
  }
}
