package io.aihandler.controllers.metrics;

import io.aihandler.api.v1alpha1.ConditionedStatus;
import io.aihandler.controllers.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code aihandler_operator_reconciles_total{kind, outcome}} and {@code
 * aihandler_operator_reconcile_duration_seconds{kind}}: how each reconcile of a kind ended and how
 * long it took.
 */
public final class ReconcileMetrics {

  /** How a reconcile ended. */
  public enum Outcome {
    /** The status it leaves says Ready True. */
    READY,
    /** The status it leaves says Ready False or Unknown (or says nothing yet). */
    NOT_READY,
    /** It threw: JOSDK writes the failure status and retries with backoff. */
    ERROR;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Bucket boundaries of the duration histogram: a reconcile from the cache with no write takes
   * milliseconds, one with applies or a provider call up to seconds; the last buckets catch API
   * server or provider timeouts.
   */
  public static final List<Duration> DURATION_BUCKETS =
      List.of(
          Duration.ofMillis(5),
          Duration.ofMillis(10),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofMillis(2500),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30));

  private final MeterRegistry registry;

  ReconcileMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Runs one reconcile of {@code primary} (of {@code kind}, e.g. {@code ModelBackend}), counting
   * its outcome and timing it. The outcome is read from the status the reconcile leaves: the patch
   * it returns, or the current status when it returns no patch because nothing changed.
   */
  public <S extends ConditionedStatus, P extends CustomResource<?, S>> UpdateControl<P> time(
      String kind, P primary, Callable<UpdateControl<P>> reconcile) throws Exception {
    long start = System.nanoTime();
    Outcome outcome = Outcome.ERROR;
    try {
      UpdateControl<P> control = reconcile.call();
      outcome = outcomeOf(control.getResource().orElse(primary).getStatus());
      return control;
    } finally {
      record(kind, outcome, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Counts one reconcile and records its duration. */
  public void record(String kind, Outcome outcome, Duration took) {
    Counter.builder("aihandler.operator.reconciles")
        .description("Reconciles by kind and outcome (ready, not_ready, error)")
        .tag("kind", kind)
        .tag("outcome", outcome.label())
        .register(registry)
        .increment();
    Timer.builder("aihandler.operator.reconcile.duration")
        .description("Time one reconcile took, by kind")
        .tag("kind", kind)
        .serviceLevelObjectives(DURATION_BUCKETS.toArray(Duration[]::new))
        .register(registry)
        .record(took);
  }

  private static Outcome outcomeOf(ConditionedStatus status) {
    List<Condition> conditions = status == null ? null : status.getConditions();
    Condition ready = conditions == null ? null : Conditions.find(conditions, Conditions.READY);
    return ready != null && "True".equals(ready.getStatus()) ? Outcome.READY : Outcome.NOT_READY;
  }
}
