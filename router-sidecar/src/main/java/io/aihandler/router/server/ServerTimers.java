package io.aihandler.router.server;

import io.aihandler.router.runtime.ThreadDeadline;
import io.aihandler.router.runtime.TimerTaskGuard;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One timer thread for the server's own limits (request heads, bodies). A task that throws fails
 * only its own run, and is logged and counted: the executor's thread lives on.
 */
final class ServerTimers implements AutoCloseable {

  private final ScheduledThreadPoolExecutor executor;
  private final TimerTaskGuard guard;

  ServerTimers(TimerTaskGuard guard) {
    this.guard = guard;
    executor =
        new ScheduledThreadPoolExecutor(
            1, r -> Thread.ofPlatform().daemon().name("aihandler-server-timer").unstarted(r));
    // Nearly every timer is cancelled: left queued, they would pile up for their whole delay.
    executor.setRemoveOnCancelPolicy(true);
  }

  ScheduledFuture<?> schedule(Duration delay, Runnable task) {
    return executor.schedule(
        guard.guard(task), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
  }

  /**
   * Interrupts the calling thread when the time runs out before {@link ThreadDeadline#finish}. On a
   * virtual thread blocked on a socket, the interrupt closes that socket and ends the wait.
   */
  ThreadDeadline deadline(Duration timeout) {
    return new ThreadDeadline(timeout, this::schedule);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
