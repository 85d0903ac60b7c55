package io.aihandler.controllers.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * All of the operator's own meters, on one registry handed in by whoever runs the reconcilers (the
 * operator's Prometheus registry in production, a {@code SimpleMeterRegistry} in tests).
 *
 * @param reconciles reconcile outcomes and durations per kind
 * @param credentials hosted backends' credential checks
 * @param backends autoscaler decisions and vLLM backends' state
 */
public record OperatorMetrics(
    ReconcileMetrics reconciles, CredentialMetrics credentials, BackendMetrics backends) {

  /** The operator's meters on {@code registry}. */
  public static OperatorMetrics on(MeterRegistry registry) {
    return new OperatorMetrics(
        new ReconcileMetrics(registry),
        new CredentialMetrics(registry),
        new BackendMetrics(registry));
  }

  /** Meters that record nothing: a composite registry without members drops every measurement. */
  public static OperatorMetrics none() {
    return on(new CompositeMeterRegistry());
  }

  /** Removes every per-backend series of a deleted (or no longer hosted / vLLM) backend. */
  public void forgetBackend(String namespace, String name) {
    credentials.forget(namespace, name);
    backends.forget(namespace, name);
  }
}
