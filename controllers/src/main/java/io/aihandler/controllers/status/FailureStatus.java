package io.aihandler.controllers.status;

import io.aihandler.api.v1alpha1.ConditionedStatus;
import io.aihandler.controllers.owned.OwnedObjectApplyException;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a reconciler's {@code updateErrorStatus} writes: {@code Ready} False with a reason and a
 * message a human can act on, so a failing apply does not leave an old {@code Ready: True}
 * standing. The rest of the status is kept as it was; JOSDK keeps retrying with its backoff.
 *
 * <p>The message never quotes an exception's own text, which may carry anything: it names the
 * object that could not be written and the API server's verdict (code, reason, the fields it
 * refused), and only for non-Secret kinds the server's message.
 */
public final class FailureStatus {

  private FailureStatus() {}

  /** The error status of {@code resource} after {@code error}; no write when it already says so. */
  public static <S extends ConditionedStatus, P extends CustomResource<?, S>>
      ErrorStatusUpdateControl<P> readyFalse(
          P resource,
          Exception error,
          Supplier<S> emptyStatus,
          Clock clock,
          ResourceEvents events) {
    S previous = resource.getStatus();
    S status = previous == null ? emptyStatus.get() : StatusPatch.copy(previous);
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(0L);
    String reason =
        applyFailure(error).isPresent() ? Conditions.APPLY_FAILED : Conditions.RECONCILE_FAILED;
    status.setObservedGeneration(generation);
    status.setConditions(
        Conditions.merge(
            status.getConditions(),
            List.of(new Conditions.Desired(Conditions.READY, false, reason, describe(error))),
            generation,
            clock.instant()));
    if (StatusPatch.same(previous, status)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    events.readyChanged(
        resource,
        previous == null ? List.of() : previous.getConditions(),
        status.getConditions(),
        Set.of());
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(resource, status));
  }

  /**
   * A description of a reconciliation failure that is safe for a status, an Event and a log line.
   */
  public static String describe(Throwable error) {
    Optional<OwnedObjectApplyException> apply = applyFailure(error);
    if (apply.isPresent()) {
      return apply.get().getMessage();
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof KubernetesClientException api) {
        return "a Kubernetes API request failed: " + OwnedObjectApplyException.verdict(api, false);
      }
    }
    return "the reconciliation failed ("
        + error.getClass().getSimpleName()
        + "); the operator log has the details";
  }

  private static Optional<OwnedObjectApplyException> applyFailure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof OwnedObjectApplyException apply) {
        return Optional.of(apply);
      }
    }
    return Optional.empty();
  }
}
