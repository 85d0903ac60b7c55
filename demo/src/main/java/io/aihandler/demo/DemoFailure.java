package io.aihandler.demo;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** An expectation of the demo that did not hold; its message says which and what was seen. */
public final class DemoFailure extends RuntimeException {

  public DemoFailure(String message) {
    super(message);
  }

  public DemoFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** Fails with the message unless the condition holds. */
  static void expect(boolean condition, Supplier<String> message) {
    if (!condition) {
      throw new DemoFailure(message.get());
    }
  }

  /**
   * Waits until the condition holds, polling; fails naming what was awaited and what was seen last.
   *
   * @param state what to report when time runs out (the current state of things)
   */
  static void await(
      String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + limit.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
        last = null;
      } catch (RuntimeException e) {
        last = e; // e.g. an object that does not exist yet
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DemoFailure("interrupted while waiting for " + what, e);
      }
    }
    String seen = state.get();
    throw new DemoFailure(
        "timed out after "
            + limit.toSeconds()
            + "s waiting for "
            + what
            + (seen == null || seen.isBlank() ? "" : "; last seen: " + seen)
            + (last == null ? "" : "; last error: " + last.getMessage()));
  }
}
