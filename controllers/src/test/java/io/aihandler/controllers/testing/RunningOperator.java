package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.time.Duration;
import java.util.List;

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

  /** Registers several reconcilers (e.g. two controllers of one kind) and starts the operator. */
  public static RunningOperator startAll(MockKubernetesApi api, List<Reconciler<?>> reconcilers) {
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(api.client())
                    .withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofSeconds(10))
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(2)));
    reconcilers.forEach(operator::register);
    operator.start();
    return new RunningOperator(operator);
  }

  @Override
  public void close() {
    operator.stop();
  }
}
