package io.aihandler.controllers.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls for a state an asynchronous operator reaches, failing with a description after a bound. */
public final class Eventually {

  private Eventually() {}

  /** Waits up to 10 seconds for the condition. */
  public static void await(String what, BooleanSupplier condition) {
    await(what, Duration.ofSeconds(10), condition);
  }

  /** Waits up to {@code limit} for the condition. */
  public static void await(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
    throw new AssertionError(
        "timed out after " + limit.toMillis() + " ms waiting for " + what, last);
  }
}
