package io.aihandler.controllers.metrics;

import io.aihandler.controllers.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * A vLLM backend's state and its autoscaler's decisions: {@code
 * aihandler_operator_scaling_decisions_total{namespace, backend, direction}} (one per evaluation:
 * {@code up}, {@code down} or {@code hold}), {@code
 * aihandler_operator_backend_desired_replicas{namespace, backend}} (the replicas the operator
 * wants, fixed or decided) and {@code aihandler_operator_backend_ready{namespace, backend}} (1 when
 * Ready, 0 while the model loads, the Deployment progresses or the pods fail). GPU time: {@code
 * aihandler_operator_gpu_hours_used_total{namespace, backend}} (replicas x GPUs x time), {@code
 * aihandler_operator_gpu_hours_saved_total{namespace, backend}} (the replica a backend scaled to
 * zero does not run) and, for backends with {@code pricing.gpuHourly}, {@code
 * aihandler_operator_gpu_cost_usd_total} and {@code aihandler_operator_gpu_savings_usd_total}.
 */
public final class BackendMetrics {

  static final String DECISIONS = "aihandler.operator.scaling.decisions";
  static final String DESIRED = "aihandler.operator.backend.desired.replicas";
  static final String READY = "aihandler.operator.backend.ready";
  static final String NOT_READY_SINCE = "aihandler.operator.backend.not.ready.since.seconds";
  static final String GPU_HOURS_USED = "aihandler.operator.gpu.hours.used";
  static final String GPU_HOURS_SAVED = "aihandler.operator.gpu.hours.saved";
  static final String GPU_COST = "aihandler.operator.gpu.cost.usd";
  static final String GPU_SAVINGS = "aihandler.operator.gpu.savings.usd";

  /** Which way a decision moved the replicas. */
  public enum Direction {
    UP,
    DOWN,
    HOLD;

    /** The direction from {@code current} to {@code decided} replicas. */
    public static Direction of(int current, int decided) {
      return decided > current ? UP : decided < current ? DOWN : HOLD;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final BackendGauge desired;
  private final BackendGauge ready;
  private final BackendGauge notReadySince;

  BackendMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.desired =
        new BackendGauge(registry, DESIRED, "Replicas the operator wants for a vLLM backend");
    this.ready =
        new BackendGauge(registry, READY, "1 when a vLLM backend is Ready, 0 while it is not");
    this.notReadySince =
        new BackendGauge(
            registry,
            NOT_READY_SINCE,
            "Unix time a vLLM backend's Ready condition last left True, 0 while Ready");
  }

  /** Counts one autoscaler decision. */
  public void decided(String namespace, String backend, Direction direction) {
    Counter.builder(DECISIONS)
        .description("Autoscaler decisions per vLLM backend: up, down or hold")
        .tag("namespace", namespace)
        .tag("backend", backend)
        .tag("direction", direction.label())
        .register(registry)
        .increment();
  }

  /** Sets the replicas wanted. */
  public void desiredReplicas(String namespace, String backend, int replicas) {
    desired.set(namespace, backend, replicas);
  }

  /** Sets whether the backend serves. */
  public void ready(String namespace, String backend, boolean isReady) {
    ready.set(namespace, backend, isReady ? 1 : 0);
  }

  /**
   * Sets both readiness gauges from the Ready condition of the status a reconcile leaves. The time
   * comes from the condition's {@code lastTransitionTime}, so it survives operator restarts and
   * leader changes; a condition without a readable time counts from now.
   */
  public void readiness(String namespace, String backend, List<Condition> conditions, Instant now) {
    Condition condition = conditions == null ? null : Conditions.find(conditions, Conditions.READY);
    boolean isReady = condition != null && "True".equals(condition.getStatus());
    ready(namespace, backend, isReady);
    notReadySince.set(
        namespace, backend, isReady ? 0 : transitionTime(condition, now).getEpochSecond());
  }

  private static Instant transitionTime(Condition condition, Instant now) {
    if (condition == null || condition.getLastTransitionTime() == null) {
      return now;
    }
    try {
      return Instant.parse(condition.getLastTransitionTime());
    } catch (DateTimeParseException e) {
      return now;
    }
  }

  /**
   * Adds GPU time a backend used and saved since the last accounting.
   *
   * @param gpuHourly the price of a GPU-hour in USD, or null when the backend sets none
   */
  public void gpuHours(
      String namespace, String backend, double used, double saved, Double gpuHourly) {
    add(GPU_HOURS_USED, "GPU-hours held by a vLLM backend's pods", namespace, backend, used);
    add(
        GPU_HOURS_SAVED,
        "GPU-hours a vLLM backend did not spend because it was scaled to zero",
        namespace,
        backend,
        saved);
    if (gpuHourly != null) {
      add(
          GPU_COST,
          "Cost of a vLLM backend's GPU time in USD",
          namespace,
          backend,
          used * gpuHourly);
      add(
          GPU_SAVINGS,
          "GPU cost in USD a vLLM backend did not spend because it was scaled to zero",
          namespace,
          backend,
          saved * gpuHourly);
    }
  }

  private void add(String name, String description, String namespace, String backend, double by) {
    Counter counter =
        Counter.builder(name)
            .description(description)
            .tag("namespace", namespace)
            .tag("backend", backend)
            .register(registry);
    if (by > 0) {
      counter.increment(by);
    }
  }

  /** Removes the series of a backend that is gone or changed kind. */
  public void forget(String namespace, String backend) {
    desired.forget(namespace, backend);
    ready.forget(namespace, backend);
    notReadySince.forget(namespace, backend);
    for (String name :
        new String[] {DECISIONS, GPU_HOURS_USED, GPU_HOURS_SAVED, GPU_COST, GPU_SAVINGS}) {
      BackendGauge.removeAll(registry, name, namespace, backend);
    }
  }
}
