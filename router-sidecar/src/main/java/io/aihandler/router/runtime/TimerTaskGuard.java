package io.aihandler.router.runtime;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * Wraps the tasks of the sidecar's timer threads: a task that throws is logged and reported (a
 * metric), not lost silently in its future. The timer thread itself lives on either way; an {@link
 * OutOfMemoryError} is passed on, so the launcher's exit-on-OOM ends the process.
 */
public final class TimerTaskGuard {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.timers");

  private final String timer;
  private final Consumer<String> onFailure;

  /**
   * @param timer the timer's name, for logs and the metric's {@code task} label
   * @param onFailure told the timer's name on each failure
   */
  public TimerTaskGuard(String timer, Consumer<String> onFailure) {
    this.timer = timer;
    this.onFailure = onFailure;
  }

  /** A guard that only logs. */
  public static TimerTaskGuard loggingOnly(String timer) {
    return new TimerTaskGuard(timer, t -> {});
  }

  public Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (OutOfMemoryError e) {
        throw e;
      } catch (Throwable t) {
        LOG.log(Level.ERROR, "a task of timer " + timer + " failed: " + t, t);
        onFailure.accept(timer);
      }
    };
  }
}
