package io.aihandler.router.runtime;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlines for work that nearly always ends in time (a request head, a body, an upstream call):
 * armed and cancelled once per request, and almost never struck. A {@link
 * java.util.concurrent.ScheduledThreadPoolExecutor} orders its tasks in a locked queue and wakes
 * its thread whenever a new task becomes the earliest, which under load is a lock handed between
 * cores and a thread wake-up per request. Here arming and cancelling touch only a concurrent set,
 * and one thread sweeps the set every {@code tick} while anything is armed (and sleeps while
 * nothing is): a deadline strikes at most one tick late, which for limits of hundreds of
 * milliseconds and more is no difference a client can tell.
 */
public final class CoarseTimer implements AutoCloseable {

  /** An armed task; {@link #cancel()} makes sure it does not run if it has not begun. */
  public static final class Armed {
    private final long dueNanos;
    private final Runnable task;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Set<Armed> set;

    private Armed(long dueNanos, Runnable task, Set<Armed> set) {
      this.dueNanos = dueNanos;
      this.task = task;
      this.set = set;
    }

    /** Cancels the task; true if it had not run (and now never will). */
    public boolean cancel() {
      boolean cancelled = settled.compareAndSet(false, true);
      set.remove(this);
      return cancelled;
    }
  }

  private final Set<Armed> armed = ConcurrentHashMap.newKeySet();
  private final long tickNanos;
  private final TimerTaskGuard guard;
  private final String name;
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private volatile Thread sweeper;
  private volatile boolean closed;

  /**
   * @param name the sweeping thread's name
   * @param tick how often armed deadlines are looked at, and so how late one may strike
   * @param guard logs and counts a task that fails
   */
  public CoarseTimer(String name, Duration tick, TimerTaskGuard guard) {
    this.name = name;
    this.tickNanos = tick.toNanos();
    this.guard = guard;
  }

  /** Runs {@code task} on the sweeping thread once {@code delay} has passed, unless cancelled. */
  public Armed arm(Duration delay, Runnable task) {
    if (closed) {
      throw new IllegalStateException("timer " + name + " is closed");
    }
    Armed a = new Armed(System.nanoTime() + delay.toNanos(), task, armed);
    armed.add(a);
    Thread t = sweeper;
    if (t == null) {
      t = start();
    }
    if (sleeping.get()) {
      LockSupport.unpark(t);
    }
    return a;
  }

  private synchronized Thread start() {
    if (sweeper == null) {
      sweeper = Thread.ofPlatform().daemon().name(name).start(this::sweep);
    }
    return sweeper;
  }

  private void sweep() {
    while (!closed) {
      if (armed.isEmpty()) {
        sleeping.set(true);
        // Re-checked after announcing the sleep: an arm() in between unparks this thread.
        if (armed.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        sleeping.set(false);
        continue;
      }
      LockSupport.parkNanos(this, tickNanos);
      long now = System.nanoTime();
      for (Armed a : armed) {
        if (now - a.dueNanos >= 0 && a.settled.compareAndSet(false, true)) {
          armed.remove(a);
          guard.guard(a.task).run();
        }
      }
    }
  }

  /** Deadlines armed and not yet struck or cancelled. */
  public int armed() {
    return armed.size();
  }

  /** Stops sweeping; tasks still armed never run. */
  @Override
  public void close() {
    closed = true;
    Thread t = sweeper;
    if (t != null) {
      LockSupport.unpark(t);
      try {
        t.join(TimeUnit.SECONDS.toMillis(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    armed.clear();
  }
}
