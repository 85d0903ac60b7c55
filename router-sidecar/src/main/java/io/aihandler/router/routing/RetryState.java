package io.aihandler.router.routing;

import io.aihandler.router.config.FallbackTrigger;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where a request stands in its route: which target is next, how many attempts are left, and
 * whether a failure is retried on the same target (after how long), repaired, or moved on from.
 * Pure: no I/O and no clock of its own, so every decision is testable without HTTP.
 *
 * <p>Retries never starve fallbacks: a target is retried only while enough attempts remain for each
 * remaining target to be tried once. A provider's {@code Retry-After} is honoured when longer than
 * the backoff; one longer than the route's longest backoff moves on instead, when there is a target
 * to move on to.
 */
final class RetryState {

  /** What to do next. */
  enum Step {
    /** Try the same target again after {@link Decision#waitMillis()}. */
    RETRY,
    /** Ask the same target again, quoting what was wrong with its answer. */
    REPAIR,
    /** Move on to the next target. */
    FALL_BACK,
    /** Give up: the last failure is the answer. */
    STOP
  }

  /** A step and, for a retry, the wait before it. */
  record Decision(Step step, long waitMillis) {
    static final Decision REPAIR = new Decision(Step.REPAIR, 0);
    static final Decision FALL_BACK = new Decision(Step.FALL_BACK, 0);
    static final Decision STOP = new Decision(Step.STOP, 0);
  }

  private final int targets;
  private final Set<FallbackTrigger> fallbackOn;
  private final IntervalFunction backoff;
  private final Duration maxBackoff;
  private long deadlineNanos;
  private int attemptsLeft;
  private int target;
  private int retries;
  private int repairs;

  /**
   * @param targets how many targets the request may try, in order
   * @param maxAttempts attempts across retries, repairs and fallbacks
   * @param backoff the wait before the n-th retry of one target (n from 1)
   * @param deadlineNanos the {@link System#nanoTime()} at which the request's time runs out
   */
  RetryState(
      int targets,
      int maxAttempts,
      Set<FallbackTrigger> fallbackOn,
      IntervalFunction backoff,
      Duration maxBackoff,
      long deadlineNanos) {
    this.targets = targets;
    this.attemptsLeft = maxAttempts;
    this.fallbackOn = fallbackOn;
    this.backoff = backoff;
    this.maxBackoff = maxBackoff;
    this.deadlineNanos = deadlineNanos;
  }

  /** The index of the target to try now; {@link #hasTarget()} says whether there is one. */
  int target() {
    return target;
  }

  boolean hasTarget() {
    return target < targets;
  }

  boolean hasAttemptLeft() {
    return attemptsLeft > 0;
  }

  boolean outOfTime(long nowNanos) {
    return nowNanos >= deadlineNanos;
  }

  /** The {@link System#nanoTime()} at which the request's time runs out. */
  long deadline() {
    return deadlineNanos;
  }

  /**
   * The request was held for a target with no ready replica: the time held is not spent from the
   * request's timeout, which bounds the serving once a replica is ready.
   */
  void held(long nanos) {
    deadlineNanos += Math.max(0, nanos);
  }

  /**
   * The request spills over from a target with no ready replica to a later one: nothing was sent
   * and no attempt is spent, whatever the route's {@code fallbackOn}.
   */
  void spillTo(int later) {
    if (later <= target || later > targets) {
      throw new IllegalArgumentException("a spill-over goes to a later target");
    }
    target = later;
    retries = 0;
    repairs = 0;
  }

  /**
   * The attempt found nothing listening (a cold backend's refused connection): it is given back,
   * since the request is spilt over or held and then tried as if for the first time.
   */
  void refund() {
    attemptsLeft++;
  }

  /** An attempt is being made: it spends one of the budget. */
  void attempted() {
    attemptsLeft--;
  }

  /** The target refused the attempt before anything was sent (circuit, limits, no key). */
  Decision afterRefusal() {
    return fallbackOn.contains(FallbackTrigger.UNAVAILABLE) ? fallBack() : Decision.STOP;
  }

  /** The target's answer does not match the schema. */
  Decision afterInvalidOutput(int maxRepairs) {
    if (repairs < maxRepairs && attemptsLeft > 0) {
      repairs++;
      return Decision.REPAIR;
    }
    return fallbackOn.contains(FallbackTrigger.INVALID_OUTPUT) ? fallBack() : Decision.STOP;
  }

  /**
   * The attempt failed.
   *
   * @param trigger the failure's fallback trigger; null for a client error, which ends the request
   * @param retryAfter the provider's requested wait, or null
   */
  Decision afterFailure(FallbackTrigger trigger, Duration retryAfter, long nowNanos) {
    if (trigger == null) {
      return Decision.STOP; // a client error: another backend would refuse it too
    }
    int laterTargets = targets - target - 1;
    boolean canFallBack = fallbackOn.contains(trigger) && laterTargets > 0;
    boolean retryable =
        trigger != FallbackTrigger.UNAVAILABLE && attemptsLeft > (canFallBack ? laterTargets : 0);
    if (retryable) {
      long waitMillis = backoff.apply(retries + 1);
      boolean retryAfterTooLong =
          retryAfter != null && retryAfter.compareTo(maxBackoff) > 0 && canFallBack;
      if (retryAfter != null) {
        waitMillis = Math.max(waitMillis, retryAfter.toMillis());
      }
      boolean fits = nowNanos + TimeUnit.MILLISECONDS.toNanos(waitMillis) < deadlineNanos;
      if (fits && !retryAfterTooLong) {
        retries++;
        return new Decision(Step.RETRY, waitMillis);
      }
    }
    return canFallBack ? fallBack() : Decision.STOP;
  }

  private Decision fallBack() {
    target++;
    retries = 0;
    repairs = 0;
    return Decision.FALL_BACK;
  }
}
