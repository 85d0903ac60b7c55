package io.aihandler.router.runtime;

/**
 * A backend's tokens-per-minute limit as a token bucket: it holds at most one minute's tokens and
 * refills continuously. A request is charged its estimate (input plus the most output it may
 * produce) when it is admitted, and the charge is corrected with the tokens the provider reports
 * once the answer is in, so short answers give back what they did not use.
 *
 * <p>A request larger than a whole minute's tokens is admitted once the bucket is full and drives
 * it below zero, so it is served rather than refused forever; later requests wait for the debt to
 * refill.
 */
public final class TokenBudget {

  private static final double NANOS_PER_MINUTE = 60e9;

  private final long perMinute;
  private double available;
  private long refilledAt;

  /**
   * @param perMinute tokens per minute; 0 or less means unlimited
   * @param nowNanos the current {@link System#nanoTime()}
   */
  public TokenBudget(long perMinute, long nowNanos) {
    this.perMinute = Math.max(0, perMinute);
    this.available = this.perMinute;
    this.refilledAt = nowNanos;
  }

  /** The limit this budget enforces; 0 when unlimited. */
  public long perMinute() {
    return perMinute;
  }

  /** Charges an estimate if the bucket holds it (or is full); false, charging nothing, if not. */
  public synchronized boolean tryTake(long estimate, long nowNanos) {
    if (perMinute == 0) {
      return true;
    }
    refill(nowNanos);
    if (available < Math.min(estimate, perMinute)) {
      return false;
    }
    available -= estimate;
    return true;
  }

  /** Replaces an earlier charge with what was really used (0 gives the whole charge back). */
  public synchronized void correct(long charged, long actual, long nowNanos) {
    if (perMinute == 0) {
      return;
    }
    refill(nowNanos);
    available = Math.min(perMinute, available + charged - actual);
  }

  /** Tokens available now (tests, diagnostics). */
  public synchronized double available(long nowNanos) {
    refill(nowNanos);
    return available;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - refilledAt;
    if (elapsed > 0) {
      available = Math.min(perMinute, available + elapsed * (perMinute / NANOS_PER_MINUTE));
      refilledAt = nowNanos;
    }
  }
}
