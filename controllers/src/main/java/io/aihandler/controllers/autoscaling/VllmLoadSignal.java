package io.aihandler.controllers.autoscaling;

import io.aihandler.api.v1alpha1.ScalingMetric;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Extracts the load signal the autoscaler follows from one pod's vLLM metrics. Every vLLM metric
 * carries a {@code model_name} label; only series of the served model count. Several series of the
 * same model (one per engine when data parallel) are summed for request counts and averaged for the
 * KV-cache fraction.
 */
public final class VllmLoadSignal {

  /** Requests waiting for a slot. */
  public static final String WAITING = "vllm:num_requests_waiting";

  /** Requests being generated. */
  public static final String RUNNING = "vllm:num_requests_running";

  /** KV-cache usage, 0 to 1 (vLLM since late 2025). */
  public static final String KV_CACHE = "vllm:kv_cache_usage_perc";

  /** The older name of {@link #KV_CACHE}, read when the new one is absent. */
  public static final String KV_CACHE_LEGACY = "vllm:gpu_cache_usage_perc";

  /** Requests finished, by finish reason (a counter). */
  public static final String SUCCESS = "vllm:request_success_total";

  private VllmLoadSignal() {}

  /**
   * The pod's activity, or null when its metrics lack the request gauges (then it is never taken as
   * idle). A missing success counter counts as zero: vLLM creates its series with the first
   * finished request.
   */
  public static PodActivity activity(List<PrometheusText.Sample> samples, String servedModelName) {
    OptionalDouble running = sum(samples, RUNNING, servedModelName);
    OptionalDouble waiting = sum(samples, WAITING, servedModelName);
    if (running.isEmpty() || waiting.isEmpty()) {
      return null;
    }
    return new PodActivity(
        running.getAsDouble() + waiting.getAsDouble(),
        sum(samples, SUCCESS, servedModelName).orElse(0));
  }

  /** The signal, or empty when the metrics lack it. */
  public static OptionalDouble of(
      List<PrometheusText.Sample> samples, ScalingMetric metric, String servedModelName) {
    return switch (metric) {
      case QUEUE -> sum(samples, WAITING, servedModelName);
      case RUNNING -> sum(samples, RUNNING, servedModelName);
      case KV_CACHE -> {
        OptionalDouble current = average(samples, KV_CACHE, servedModelName);
        yield current.isPresent() ? current : average(samples, KV_CACHE_LEGACY, servedModelName);
      }
    };
  }

  private static List<Double> values(
      List<PrometheusText.Sample> samples, String name, String model) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(
            s ->
                !s.labels().containsKey("model_name") || s.labels().get("model_name").equals(model))
        .map(PrometheusText.Sample::value)
        .filter(v -> !v.isNaN() && !v.isInfinite())
        .toList();
  }

  private static OptionalDouble sum(
      List<PrometheusText.Sample> samples, String name, String model) {
    List<Double> values = values(samples, name, model);
    return values.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(values.stream().mapToDouble(Double::doubleValue).sum());
  }

  private static OptionalDouble average(
      List<PrometheusText.Sample> samples, String name, String model) {
    return values(samples, name, model).stream().mapToDouble(Double::doubleValue).average();
  }
}
