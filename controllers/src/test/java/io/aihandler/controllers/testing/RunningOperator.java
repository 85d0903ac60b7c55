package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
    return startWithOneRetry(
        () -> {
          Operator operator = operator(api);
          operator.register(reconciler, configuration);
          return operator;
        });
  }

  /** Registers several reconcilers (e.g. two controllers of one kind) and starts the operator. */
  public static RunningOperator startAll(MockKubernetesApi api, List<Reconciler<?>> reconcilers) {
    return startWithOneRetry(
        () -> {
          Operator operator = operator(api);
          reconcilers.forEach(operator::register);
          return operator;
        });
  }

  /**
   * Starts a registered operator, and a second one if the first fails to start. The start lists and
   * watches every informer's kind on fabric8's mock server; a loaded CI machine has seen that fail
   * once, with no cause in JOSDK's message, and such a failure says nothing about the reconciler
   * under test. A start that fails twice fails the test, with every cause in the message (JOSDK's
   * own message is only "Error starting operator").
   */
  private static RunningOperator startWithOneRetry(Supplier<Operator> registered) {
    RuntimeException first = null;
    for (int attempt = 1; attempt <= 2; attempt++) {
      Operator operator = registered.get();
      try {
        operator.start();
        if (first != null) {
          System.err.println("RunningOperator: the second start succeeded after " + causes(first));
        }
        return new RunningOperator(operator);
      } catch (RuntimeException e) {
        stopQuietly(operator, e);
        if (first != null) {
          IllegalStateException failed =
              new IllegalStateException(
                  "the operator failed to start twice: " + causes(first) + "; then " + causes(e),
                  e);
          failed.addSuppressed(first);
          throw failed;
        }
        first = e;
      }
    }
    throw new AssertionError("unreachable");
  }

  private static void stopQuietly(Operator operator, RuntimeException startFailure) {
    try {
      operator.stop();
    } catch (RuntimeException e) {
      startFailure.addSuppressed(e);
    }
  }

  private static String causes(Throwable error) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (chain.length() > 0) {
        chain.append(" <- ");
      }
      chain.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return chain.toString();
  }

  private static Operator operator(MockKubernetesApi api) {
    return new Operator(
        o ->
            o.withKubernetesClient(api.client())
                .withCloseClientOnStop(false)
                .withStopOnInformerErrorDuringStartup(true)
                .withCacheSyncTimeout(Duration.ofSeconds(30))
                .withReconciliationTerminationTimeout(Duration.ofSeconds(2)));
  }

  @Override
  public void close() {
    operator.stop();
  }
}
