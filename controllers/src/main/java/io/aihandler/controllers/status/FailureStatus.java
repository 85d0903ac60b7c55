package io.aihandler.controllers.status;

import io.aihandler.api.v1alpha1.ConditionedStatus;
import io.aihandler.controllers.owned.OwnedObjectApplyException;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger LOG = LoggerFactory.getLogger(FailureStatus.class);

  private FailureStatus() {}

  /**
   * Writes the error status of {@code resource} after {@code error}, unless the status already says
   * so, through {@link StatusPatch#write} like every other status: only the writer's fields,
   * rebuilt on the stored status after a conflict. A failure to write it is logged: the
   * reconciliation's own error is what JOSDK retries on.
   *
   * @param ownFields the fields of a status the reconciler owns (others' are left as they are)
   */
  public static <S extends ConditionedStatus, P extends CustomResource<?, S>>
      ErrorStatusUpdateControl<P> readyFalse(
          P resource,
          Context<P> context,
          Exception error,
          Supplier<S> emptyStatus,
          UnaryOperator<S> ownFields,
          Clock clock,
          ResourceEvents events) {
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(0L);
    String reason =
        applyFailure(error).isPresent() ? Conditions.APPLY_FAILED : Conditions.RECONCILE_FAILED;
    Conditions.Desired ready =
        new Conditions.Desired(Conditions.READY, false, reason, describe(error));
    try {
      StatusPatch.Written<S> written =
          StatusPatch.write(
              resource,
              context,
              ownFields,
              stored -> {
                S status = stored == null ? emptyStatus.get() : StatusPatch.copy(stored);
                status.setObservedGeneration(generation);
                status.setConditions(
                    Conditions.merge(
                        status.getConditions(), List.of(ready), generation, clock.instant()));
                return status;
              });
      events.readyChanged(
          resource,
          written.stored() == null ? List.of() : written.stored().getConditions(),
          written.status().getConditions(),
          Set.of());
    } catch (RuntimeException e) {
      LOG.warn(
          "could not write the error status of {} {}/{}: {}",
          resource.getKind(),
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          describe(e));
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
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
