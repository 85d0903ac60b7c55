package io.aihandler.operator.activation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * {@code aihandler_operator_activations_total{namespace, backend, result}}: every activation
 * answered. {@code namespace} is the caller's (from its TokenReview) and {@code backend} the
 * ModelBackend as {@code namespace/name} once the caller is known to route to it; before that both
 * are {@code unknown}, so nobody can mint series by sending made-up names.
 */
public final class ActivationMetrics {

  /** Label value of a namespace or backend that is not established yet. */
  static final String UNKNOWN = "unknown";

  /** How an activation ended. */
  public enum Result {
    ACCEPTED,
    ALREADY_READY,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    NOT_SCALABLE,
    RATE_LIMITED,
    INVALID,
    UNAVAILABLE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;

  public ActivationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String namespace, String backend, Result result) {
    Counter.builder("aihandler.operator.activations")
        .description(
            "Activations of vLLM backends by router sidecars, by caller namespace, backend and"
                + " result")
        .tag("namespace", namespace)
        .tag("backend", backend)
        .tag("result", result.label())
        .register(registry)
        .increment();
  }
}
