package io.aihandler.controllers.autoscaling;

import io.aihandler.controllers.metrics.BackendMetrics;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The autoscaler of vLLM backends with {@code spec.vllm.scaling}: reads each ready pod's load from
 * its metrics and asks the backend's {@link ScalingDecider} for the replicas. It writes nothing
 * itself; the reconciler applies the decision to the Deployment and the status.
 */
public final class VllmAutoscaler {

  private final Clock clock;
  private final VllmMetricsScraper scraper;
  private final Function<Pod, URI> metricsUrl;
  private final BackendMetrics metrics;

  /** Deciders unused this long belong to deleted backends and are dropped. */
  private static final Duration FORGET_AFTER = Duration.ofHours(1);

  private record Remembered(ScalingDecider decider, Instant lastUsed) {}

  private final Map<String, Remembered> deciders = new ConcurrentHashMap<>();

  /**
   * @param clock the time decisions are made at
   * @param scraper reads pods' metrics
   * @param metricsUrl where a pod serves its metrics ({@link #podIpMetricsUrl} in a cluster)
   */
  public VllmAutoscaler(Clock clock, VllmMetricsScraper scraper, Function<Pod, URI> metricsUrl) {
    this(clock, scraper, metricsUrl, OperatorMetrics.none().backends());
  }

  /**
   * @param metrics counts every decision by direction
   */
  public VllmAutoscaler(
      Clock clock,
      VllmMetricsScraper scraper,
      Function<Pod, URI> metricsUrl,
      BackendMetrics metrics) {
    this.clock = clock;
    this.scraper = scraper;
    this.metricsUrl = metricsUrl;
    this.metrics = metrics;
  }

  /** {@code http://<pod IP>:8000/metrics}, how the operator reaches vLLM pods in a cluster. */
  public static URI podIpMetricsUrl(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    return ip == null
        ? null
        : URI.create(
            "http://"
                + (ip.contains(":") ? "[" + ip + "]" : ip)
                + ":"
                + VllmBackend.PORT
                + "/metrics");
  }

  /** Decides the replicas of a backend that has never been activated. */
  public ScalingDecision evaluate(VllmBackend backend, int currentReplicas, List<Pod> pods) {
    return evaluate(backend, currentReplicas, pods, null);
  }

  /**
   * Decides the replicas of a backend.
   *
   * @param backend the backend, which must have scaling
   * @param currentReplicas the Deployment's replicas now
   * @param pods the backend's pods
   * @param lastActivation when a router last asked for the backend (its status), or null
   */
  public ScalingDecision evaluate(
      VllmBackend backend, int currentReplicas, List<Pod> pods, Instant lastActivation) {
    ScalingPolicy policy = ScalingPolicy.of(backend.spec().scaling());
    Map<String, URI> readyPods = new LinkedHashMap<>();
    int starting = 0;
    for (Pod pod : pods) {
      if (pod.getMetadata().getDeletionTimestamp() != null || finished(pod)) {
        continue;
      }
      URI url = ready(pod) ? metricsUrl.apply(pod) : null;
      if (url != null) {
        readyPods.put(pod.getMetadata().getName(), url);
      } else {
        starting++;
      }
    }
    List<PodLoad> loads =
        readyPods.isEmpty()
            ? List.of()
            : scraper.scrape(readyPods, policy.metric(), backend.servedModelName());
    Instant now = clock.instant();
    deciders.values().removeIf(r -> r.lastUsed().plus(FORGET_AFTER).isBefore(now));
    String uid = backend.owner().getMetadata().getUid();
    ScalingDecider decider =
        deciders.containsKey(uid) ? deciders.get(uid).decider() : new ScalingDecider();
    deciders.put(uid, new Remembered(decider, now));
    ScalingDecision decision =
        decider.decide(policy, now, currentReplicas, starting, loads, lastActivation);
    metrics.decided(
        backend.namespace(),
        backend.name(),
        BackendMetrics.Direction.of(currentReplicas, decision.replicas()));
    return decision;
  }

  /** Drops what was remembered about a backend that no longer autoscales or no longer exists. */
  public void forget(String uid) {
    if (uid != null) {
      deciders.remove(uid);
    }
  }

  private static boolean ready(Pod pod) {
    return Optional.ofNullable(pod.getStatus())
        .map(s -> s.getConditions())
        .orElse(List.of())
        .stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean finished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}
