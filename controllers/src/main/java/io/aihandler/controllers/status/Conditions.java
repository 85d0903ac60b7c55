package io.aihandler.controllers.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The condition vocabulary of the three kinds and how conditions are written: the Kubernetes way, a
 * condition's {@code lastTransitionTime} changes only when its status changes, so an unchanged
 * state produces an identical status and no write. Conditions of types this operator does not set
 * (another controller's) are kept.
 */
public final class Conditions {

  /** Every kind: whether it does its job now. The condition tools and GitOps health checks read. */
  public static final String READY = "Ready";

  /** ModelBackend (vLLM): whether the Deployment has at least one pod serving. */
  public static final String WORKLOAD_AVAILABLE = "WorkloadAvailable";

  /**
   * ModelBackend (vLLM): whether the spill-over from the backend could be read from Prometheus
   * ({@code status.spillOver}).
   */
  public static final String SPILL_OVER_MEASURED = "SpillOverMeasured";

  /** ModelBackend (hosted): the referenced Secret and key exist. */
  public static final String CREDENTIALS_RESOLVED = "CredentialsResolved";

  /** ModelBackend (hosted): the provider accepted the key. */
  public static final String CREDENTIALS_VALID = "CredentialsValid";

  /** RoutingPolicy: the policy is consistent in itself. */
  public static final String ACCEPTED = "Accepted";

  /** RoutingPolicy and Workflow: every reference names something that exists and may be used. */
  public static final String RESOLVED_REFS = "ResolvedRefs";

  /** Workflow: the keys of the hosted backends its routes use are copied into its namespace. */
  public static final String CREDENTIALS_PROVISIONED = "CredentialsProvisioned";

  /** Reason of Ready when a reconciliation failed before it could say anything better. */
  public static final String RECONCILE_FAILED = "ReconcileFailed";

  /** Reason of Ready when an owned object could not be applied. */
  public static final String APPLY_FAILED = "ApplyFailed";

  private Conditions() {}

  /**
   * A condition to set: its type, status ({@code True}, {@code False} or {@code Unknown}), reason
   * and message.
   */
  public record Desired(String type, String status, String reason, String message) {

    public Desired(String type, boolean status, String reason, String message) {
      this(type, status ? "True" : "False", reason, message);
    }

    /** A condition of status {@code Unknown}. */
    public static Desired unknown(String type, String reason, String message) {
      return new Desired(type, "Unknown", reason, message);
    }

    public boolean isTrue() {
      return "True".equals(status);
    }

    public boolean isFalse() {
      return "False".equals(status);
    }
  }

  /**
   * The previous conditions with the desired ones set; conditions of other types are kept, in their
   * place.
   *
   * @param now the time of a transition, truncated to seconds as the API server stores it
   */
  public static List<Condition> merge(
      List<Condition> previous, List<Desired> desired, long generation, Instant now) {
    List<Condition> result = new ArrayList<>(previous == null ? List.of() : previous);
    for (Desired wanted : desired) {
      Condition old = find(result, wanted.type());
      String transition =
          old != null
                  && wanted.status().equals(old.getStatus())
                  && old.getLastTransitionTime() != null
              ? old.getLastTransitionTime()
              : now.truncatedTo(ChronoUnit.SECONDS).toString();
      Condition condition =
          new ConditionBuilder()
              .withType(wanted.type())
              .withStatus(wanted.status())
              .withReason(wanted.reason())
              .withMessage(wanted.message())
              .withObservedGeneration(generation)
              .withLastTransitionTime(transition)
              .build();
      if (old == null) {
        result.add(condition);
      } else {
        result.set(result.indexOf(old), condition);
      }
    }
    return result;
  }

  /** The condition of a type, or null. */
  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream()
        .filter(c -> Objects.equals(c.getType(), type))
        .findFirst()
        .orElse(null);
  }

  /** The condition of a type, if present. */
  public static Optional<Condition> lookup(List<Condition> conditions, String type) {
    return Optional.ofNullable(find(conditions, type));
  }
}
