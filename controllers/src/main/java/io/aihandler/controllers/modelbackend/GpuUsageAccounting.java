package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.GpuUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Brings a vLLM backend's GPU-hours up to date: the replicas and desired replicas of the previous
 * status were in force from its {@code accountedAt} until now, since any change of them is
 * accounted at once. Used = replicas x GPUs x time; saved (only for a backend that scales to zero)
 * = the one replica it would otherwise keep, less the pods still there, x GPUs x the time spent at
 * zero desired replicas. To keep status writes rare, totals move only every {@link #INTERVAL} or
 * when the replicas change. Pure.
 */
final class GpuUsageAccounting {

  /** Longest time between two updates of the totals while nothing changes. */
  static final Duration INTERVAL = Duration.ofMinutes(5);

  /** The totals to publish, and what was added to them now (for the counters). */
  record Accounted(GpuUsage usage, double usedHours, double savedHours) {}

  /** What was in force since the last accounting. */
  record InForce(int replicas, int desiredReplicas) {}

  private GpuUsageAccounting() {}

  /**
   * @param previous the totals so far, or null before the first accounting
   * @param before the replicas of the previous status, null before the first accounting
   * @param now the replicas and desired replicas from now on
   * @param scalesToZero whether the backend scales to zero when idle (only then is time at zero
   *     "saved")
   * @param gpus GPUs per replica
   * @param gpuHourly the price of one GPU-hour in USD, or null
   */
  static Accounted account(
      GpuUsage previous,
      InForce before,
      InForce now,
      boolean scalesToZero,
      int gpus,
      Double gpuHourly,
      Instant at) {
    String stamp = at.truncatedTo(ChronoUnit.SECONDS).toString();
    Instant since = previous == null ? null : parse(previous.accountedAt());
    if (previous == null || before == null || since == null) {
      return new Accounted(usage(stamp, stamp, 0, 0, gpuHourly), 0, 0);
    }
    Duration elapsed = Duration.between(since, at);
    if (elapsed.isNegative()) {
      elapsed = Duration.ZERO;
    }
    if (elapsed.compareTo(INTERVAL) < 0 && before.equals(now)) {
      return new Accounted(withPrice(previous, gpuHourly), 0, 0);
    }
    double hours = elapsed.toMillis() / 3_600_000.0;
    double used = before.replicas() * (double) gpus * hours;
    double saved =
        scalesToZero && before.desiredReplicas() == 0
            ? Math.max(0, 1 - before.replicas()) * (double) gpus * hours
            : 0;
    return new Accounted(
        usage(
            previous.since() == null ? stamp : previous.since(),
            stamp,
            orZero(previous.gpuHoursUsed()) + used,
            orZero(previous.gpuHoursSaved()) + saved,
            gpuHourly),
        used,
        saved);
  }

  private static GpuUsage withPrice(GpuUsage usage, Double gpuHourly) {
    return usage(
        usage.since(),
        usage.accountedAt(),
        orZero(usage.gpuHoursUsed()),
        orZero(usage.gpuHoursSaved()),
        gpuHourly);
  }

  private static GpuUsage usage(
      String since, String accountedAt, double used, double saved, Double gpuHourly) {
    return new GpuUsage(
        since,
        accountedAt,
        round(used),
        round(saved),
        gpuHourly == null ? null : round(round(used) * gpuHourly),
        gpuHourly == null ? null : round(round(saved) * gpuHourly));
  }

  /**
   * Six decimals (a GPU-second is about 0.0003 GPU-hours): the totals are summed from the rounded
   * status values, so coarser rounding would drift by hours a year.
   */
  private static double round(double value) {
    return Math.round(value * 1_000_000) / 1_000_000.0;
  }

  private static double orZero(Double value) {
    return value == null ? 0 : value;
  }

  private static Instant parse(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
