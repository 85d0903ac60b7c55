package io.aihandler.controllers.modelbackend;

import io.aihandler.controllers.autoscaling.VllmAutoscaler;
import io.aihandler.controllers.hosted.ProviderEndpoints;
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
 * @param providers the hosted providers' default base URLs, for credential checks
 */
public record ModelBackendReconcilerSettings(
    Clock clock,
    Duration autoscaleInterval,
    Duration scrapeTimeout,
    Function<Pod, URI> metricsUrl,
    ProviderEndpoints providers) {

  public ModelBackendReconcilerSettings(
      Clock clock,
      Duration autoscaleInterval,
      Duration scrapeTimeout,
      Function<Pod, URI> metricsUrl) {
    this(clock, autoscaleInterval, scrapeTimeout, metricsUrl, ProviderEndpoints.PUBLIC);
  }

  /** The same settings with another clock. */
  public ModelBackendReconcilerSettings withClock(Clock other) {
    return new ModelBackendReconcilerSettings(
        other, autoscaleInterval, scrapeTimeout, metricsUrl, providers);
  }

  /** The same settings with other provider base URLs (air-gapped proxies, the local demo). */
  public ModelBackendReconcilerSettings withProviders(ProviderEndpoints endpoints) {
    return new ModelBackendReconcilerSettings(
        clock, autoscaleInterval, scrapeTimeout, metricsUrl, endpoints);
  }

  /** Production settings: system clock, load read every 15 s, pods reached on their IP. */
  public static ModelBackendReconcilerSettings defaults() {
    return new ModelBackendReconcilerSettings(
        Clock.systemUTC(),
        Duration.ofSeconds(15),
        Duration.ofSeconds(2),
        VllmAutoscaler::podIpMetricsUrl);
  }
}
