package io.aihandler.operator.activation;

import io.aihandler.api.v1alpha1.Workflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** Builds the activation endpoint with its production limits. */
public final class ActivationEndpoints {

  /** Per caller namespace: bursts of 30, then 5 a second. */
  static final int NAMESPACE_BURST = 30;

  static final Duration NAMESPACE_REFILL = Duration.ofMillis(200);

  /** Per namespace and backend: bursts of 10, then 1 a second. */
  static final int BACKEND_BURST = 10;

  static final Duration BACKEND_REFILL = Duration.ofSeconds(1);

  /** Most rate-limit buckets kept per kind. */
  static final int MAX_KEYS = 10_000;

  private ActivationEndpoints() {}

  /**
   * @param workflowsIn the Workflows of a namespace, from the operator's cache
   * @param ready whether that cache is synced
   */
  public static ActivationEndpoint create(
      KubernetesClient client,
      TokenReviewer reviewer,
      Function<String, List<Workflow>> workflowsIn,
      ActivationMetrics metrics,
      Clock clock,
      BooleanSupplier ready) {
    return new ActivationEndpoint(
        reviewer,
        new WorkflowBackends(client, workflowsIn),
        new BackendActivation(client, clock),
        new RateLimiter(clock, NAMESPACE_BURST, NAMESPACE_REFILL, MAX_KEYS),
        new RateLimiter(clock, BACKEND_BURST, BACKEND_REFILL, MAX_KEYS),
        metrics,
        ready);
  }
}
