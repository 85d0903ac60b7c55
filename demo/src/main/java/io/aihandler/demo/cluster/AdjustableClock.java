package io.aihandler.demo.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's clock in the demo: the system clock, which a scene may move forward to let an idle
 * window pass in seconds (scale to zero waits at least a minute of the operator's time). Never
 * moves back, so nothing the operator stamped lies in its future.
 */
public final class AdjustableClock extends Clock {

  private final AtomicReference<Duration> ahead;
  private final ZoneId zone;

  public AdjustableClock() {
    this(new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
  }

  private AdjustableClock(AtomicReference<Duration> ahead, ZoneId zone) {
    this.ahead = ahead;
    this.zone = zone;
  }

  /** Moves the clock forward by {@code amount} (and every view of it in another zone). */
  public void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("the clock only moves forward");
    }
    ahead.updateAndGet(a -> a.plus(amount));
  }

  /** How far ahead of the system clock this one runs. */
  public Duration ahead() {
    return ahead.get();
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(ahead.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new AdjustableClock(ahead, zone);
  }
}
