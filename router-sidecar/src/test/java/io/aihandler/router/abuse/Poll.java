package io.aihandler.router.abuse;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, instead of sleeping for a guessed time. */
public final class Poll {

  private static final long STEP_MS = 25;

  private Poll() {}

  /** True once the condition holds, false if the timeout ran out first. */
  public static boolean until(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(STEP_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
