package io.aihandler.controllers.modelbackend;

import io.aihandler.controllers.autoscaling.VllmAutoscaler;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/**
 * How the ModelBackend reconciler runs.
 *
 * @param clock time of conditions, events and autoscaling decisions
 * @param autoscaleInterval how often an autoscaled backend's load is read
 * @param scrapeTimeout how long one pod may take to answer its metrics
 * @param metricsUrl where a vLLM pod serves its metrics
 */
public record ModelBackendReconcilerSettings(
    Clock clock, Duration autoscaleInterval, Duration scrapeTimeout, Function<Pod, URI> metricsUrl) {

  /** Production settings: system clock, load read every 15 s, pods reached on their IP. */
  public static ModelBackendReconcilerSettings defaults() {
    return new ModelBackendReconcilerSettings(Clock.systemUTC(), Duration.ofSeconds(15), Duration.ofSeconds(2), VllmAutoscaler::podIpMetricsUrl);
  }
}
