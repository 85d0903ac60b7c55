package io.aihandler.controllers.autoscaling;

import io.aihandler.api.v1alpha1.Scaling;
import io.aihandler.api.v1alpha1.ScalingMetric;
import io.aihandler.router.config.Durations;
import java.time.Duration;

/**
 * The autoscaling knobs of a vLLM backend with their defaults applied.
 *
 * @param minReplicas fewest replicas
 * @param maxReplicas most replicas
 * @param metric the vLLM signal followed
 * @param target the signal one replica should carry
 * @param scaleUpStabilization how long a higher recommendation must hold before scaling up
 * @param scaleDownDelay how long a lower recommendation must hold before scaling down
 * @param scaleToZeroAfter with {@code minReplicas} 0, how long the backend must be wholly idle
 *     before it goes to zero; null otherwise
 */
public record ScalingPolicy(
    int minReplicas,
    int maxReplicas,
    ScalingMetric metric,
    double target,
    Duration scaleUpStabilization,
    Duration scaleDownDelay,
    Duration scaleToZeroAfter) {

  /** Load at or above this multiple of the target per current replica skips the scale-up window. */
  public static final double SPIKE_FACTOR = 2.0;

  /** The idle window of a backend with {@code minReplicas: 0} that sets none. */
  public static final Duration DEFAULT_SCALE_TO_ZERO_AFTER = Duration.ofMinutes(30);

  /** A policy without scale to zero. */
  public ScalingPolicy(
      int minReplicas,
      int maxReplicas,
      ScalingMetric metric,
      double target,
      Duration scaleUpStabilization,
      Duration scaleDownDelay) {
    this(
        minReplicas,
        maxReplicas,
        metric,
        target,
        scaleUpStabilization,
        scaleDownDelay,
        minReplicas == 0 ? DEFAULT_SCALE_TO_ZERO_AFTER : null);
  }

  public ScalingPolicy {
    if (minReplicas < 0 || maxReplicas < Math.max(1, minReplicas)) {
      throw new IllegalArgumentException(
          "scaling needs 0 <= minReplicas <= maxReplicas and maxReplicas >= 1, got "
              + minReplicas
              + ".."
              + maxReplicas);
    }
    if (minReplicas == 0 && scaleToZeroAfter == null) {
      scaleToZeroAfter = DEFAULT_SCALE_TO_ZERO_AFTER;
    }
    if (minReplicas > 0) {
      scaleToZeroAfter = null;
    }
    if (!(target > 0)) {
      throw new IllegalArgumentException("scaling.target must be above 0, got " + target);
    }
  }

  /** The policy of a spec's scaling section. */
  public static ScalingPolicy of(Scaling scaling) {
    int minReplicas = scaling.minReplicas() == null ? 1 : scaling.minReplicas();
    return new ScalingPolicy(
        minReplicas,
        scaling.maxReplicas() == null ? 1 : scaling.maxReplicas(),
        scaling.metric() == null ? ScalingMetric.QUEUE : scaling.metric(),
        scaling.target() == null ? 1 : scaling.target(),
        Durations.parseOrDefault(
            "spec.vllm.scaling.scaleUpStabilization",
            scaling.scaleUpStabilization(),
            Duration.ofSeconds(30)),
        Durations.parseOrDefault(
            "spec.vllm.scaling.scaleDownDelay", scaling.scaleDownDelay(), Duration.ofMinutes(5)),
        minReplicas == 0
            ? Durations.parseOrDefault(
                "spec.vllm.scaling.scaleToZeroAfter",
                scaling.scaleToZeroAfter(),
                DEFAULT_SCALE_TO_ZERO_AFTER)
            : null);
  }

  /** Whether the backend goes to zero replicas when idle. */
  public boolean scalesToZero() {
    return scaleToZeroAfter != null;
  }

  /**
   * Replicas a serving backend keeps within bounds: load never takes it below one replica; only a
   * whole idle window takes it to zero.
   */
  public int clampServing(int replicas) {
    return Math.max(Math.max(1, minReplicas), Math.min(maxReplicas, replicas));
  }

  /** Replicas kept within bounds. */
  public int clamp(int replicas) {
    return Math.max(minReplicas, Math.min(maxReplicas, replicas));
  }
}
