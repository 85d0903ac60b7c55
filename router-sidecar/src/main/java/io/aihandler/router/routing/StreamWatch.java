package io.aihandler.router.routing;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiFunction;

/**
 * The one timer of a stream: it bounds each wait for the upstream and each write to the client. A
 * wait that outlasts its limit is ended by interrupting the waiting thread: requests run on virtual
 * threads, and interrupting a virtual thread blocked on a socket closes that socket (the upstream's
 * for a read, the client's for a write). That works whatever the framing of the upstream body,
 * where closing the body would not end a read of a close-delimited one. On a platform thread a read
 * is ended by closing the upstream body instead.
 *
 * <p>The timer is not re-armed per event: each wait's limit is usually later than the one before it
 * (the idle limit runs from the last event), so the timer armed for an earlier wait is kept, and
 * when it strikes while the wait under way still has time it re-arms itself for the rest. A stream
 * whose events keep coming thus arms one timer, where re-arming per event would cost a timer queue
 * insertion, a removal and a wake-up of the timer thread for every token. Only a wait that must end
 * sooner than the armed timer re-arms it at once. The lock makes an interrupt land either before
 * {@link #settle()} or never, and {@code settle} clears one it delivered.
 */
final class StreamWatch implements AutoCloseable {

  /** The limit a wait is bounded by, named as errors name it. */
  enum Limit {
    FIRST_TOKEN,
    STREAM_IDLE,
    REQUEST
  }

  private enum Phase {
    IDLE,
    READING,
    WRITING
  }

  private final Thread caller = Thread.currentThread();
  private final BiFunction<Duration, Runnable, ScheduledFuture<?>> scheduler;
  private final Closeable upstreamBody;
  private Phase phase = Phase.IDLE;
  private long untilNanos;
  private Limit limit;
  private ScheduledFuture<?> timer;
  private long armedFor; // when the armed timer strikes
  private int generation; // the timer armed last; an older one that fires late does nothing
  private Limit struck;
  private boolean interrupted;

  /**
   * @param scheduler runs a task after a delay, returning its handle
   * @param upstreamBody closed when a read on a platform thread outlasts its limit; null when only
   *     writes are watched
   */
  StreamWatch(
      BiFunction<Duration, Runnable, ScheduledFuture<?>> scheduler, Closeable upstreamBody) {
    this.scheduler = scheduler;
    this.upstreamBody = upstreamBody;
  }

  /** A read from the upstream begins; it may last until {@code untilNanos}. */
  synchronized void reading(long untilNanos, Limit limit) {
    enter(Phase.READING, untilNanos, limit);
    if (timer == null || timer.isDone() || armedFor - untilNanos > 0) {
      if (timer != null) {
        timer.cancel(false);
      }
      timer = schedule(untilNanos);
    }
  }

  /** Writes to the client begin; together they may last until {@code untilNanos}. */
  synchronized void writing(long untilNanos, Limit limit) {
    enter(Phase.WRITING, untilNanos, limit);
    if (timer == null || timer.isDone()) {
      timer = schedule(untilNanos);
    }
  }

  /**
   * Ends the read or write under way; returns the limit that struck during it, or null. An
   * interrupt the watch delivered is cleared here, so it cannot end a later wait.
   */
  synchronized Limit settle() {
    phase = Phase.IDLE;
    Limit s = struck;
    struck = null;
    if (interrupted) {
      interrupted = false;
      Thread.interrupted();
    }
    return s;
  }

  private void enter(Phase next, long until, Limit which) {
    phase = next;
    untilNanos = until;
    limit = which;
    struck = null;
  }

  private ScheduledFuture<?> schedule(long until) {
    int armed = ++generation;
    armedFor = until;
    return scheduler.apply(
        Duration.ofNanos(Math.max(0, until - System.nanoTime())), () -> strike(armed));
  }

  private synchronized void strike(int armed) {
    if (armed != generation) {
      return;
    }
    switch (phase) {
      case IDLE -> {
        // nothing is waiting
      }
      case READING -> {
        if (System.nanoTime() - untilNanos < 0) {
          timer = schedule(untilNanos); // armed for an earlier wait: this one still has time
          return;
        }
        struck = limit;
        if (caller.isVirtual()) {
          interrupted = true;
          caller.interrupt();
        } else if (upstreamBody != null) {
          closeQuietly();
        }
      }
      case WRITING -> {
        if (System.nanoTime() - untilNanos < 0) {
          timer = schedule(untilNanos); // armed for an earlier read: the write still has time
          return;
        }
        struck = limit;
        interrupted = true;
        caller.interrupt();
      }
    }
  }

  private void closeQuietly() {
    try {
      upstreamBody.close();
    } catch (IOException ignored) {
      // closing only unblocks the reader
    }
  }

  /** Cancels the timer; an interrupt already delivered is cleared. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.cancel(false);
    }
    settle();
  }
}
