package io.aihandler.router.runtime;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiFunction;

/**
 * The time limit of one blocking call on the calling thread: when it strikes, it interrupts that
 * thread, which on a virtual thread closes the socket the call is blocked on. The lock makes sure
 * the interrupt is either delivered before {@link #finish} or never, and {@link #finish} clears it,
 * so it cannot leak into what the thread does next.
 */
public final class ThreadDeadline implements Runnable {

  private final Thread caller = Thread.currentThread();
  private final Runnable cancel;
  private boolean finished;
  private boolean expired;

  /**
   * Starts the limit for the calling thread.
   *
   * @param scheduler runs a task after a delay (a timer thread of the sidecar's)
   */
  public ThreadDeadline(
      Duration timeout, BiFunction<Duration, Runnable, ScheduledFuture<?>> scheduler) {
    ScheduledFuture<?> timer = scheduler.apply(timeout, this);
    this.cancel = () -> timer.cancel(false);
  }

  /** Starts the limit for the calling thread on a coarse timer: it strikes up to a tick late. */
  public ThreadDeadline(Duration timeout, CoarseTimer timer) {
    this.cancel = timer.arm(timeout, this)::cancel;
  }

  @Override
  public synchronized void run() {
    if (!finished) {
      expired = true;
      caller.interrupt();
    }
  }

  /** Ends the limit; true when it struck, whose interrupt is then cleared from the thread. */
  public synchronized boolean finish() {
    if (!finished) {
      finished = true;
      cancel.run();
      if (expired) {
        Thread.interrupted();
      }
    }
    return expired;
  }
}
