package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A JOSDK {@link Operator} in its production configuration (server-side apply for the status of
 * primary resources) running one reconciler against a {@link MockKubernetesApi}.
 */
public final class RunningOperator implements AutoCloseable {

  private final Operator operator;

  private RunningOperator(Operator operator) {
    this.operator = operator;
  }

  /** Registers the reconciler and starts the operator; returns once its informers are synced. */
  public static <P extends HasMetadata> RunningOperator start(
      MockKubernetesApi api, Reconciler<P> reconciler) {
    return startAll(api, List.of(reconciler));
  }

  /**
   * Registers the reconciler with its configuration changed as {@code configuration} says (for
   * example another informer store) and starts the operator.
   */
  public static <P extends HasMetadata> RunningOperator start(
      MockKubernetesApi api,
      Reconciler<P> reconciler,
      Consumer<ControllerConfigurationOverrider<P>> configuration) {
    Operator operator = operator(api);
    operator.register(reconciler, configuration);
    operator.start();
    return new RunningOperator(operator);
  }

  /** Registers several reconcilers (e.g. two controllers of one kind) and starts the operator. */
  public static RunningOperator startAll(MockKubernetesApi api, List<Reconciler<?>> reconcilers) {
    Operator operator = operator(api);
    reconcilers.forEach(operator::register);
    operator.start();
    return new RunningOperator(operator);
  }

  private static Operator operator(MockKubernetesApi api) {
    return new Operator(
        o ->
            o.withKubernetesClient(api.client())
                .withCloseClientOnStop(false)
                .withStopOnInformerErrorDuringStartup(true)
                .withCacheSyncTimeout(Duration.ofSeconds(10))
                .withReconciliationTerminationTimeout(Duration.ofSeconds(2)));
  }

  @Override
  public void close() {
    operator.stop();
  }
}
