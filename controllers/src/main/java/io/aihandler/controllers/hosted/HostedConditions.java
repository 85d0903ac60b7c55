package io.aihandler.controllers.hosted;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The conditions this package owns, and how they are merged into a status without touching others. */
public final class HostedConditions {

  /** On a ModelBackend: the referenced Secret and key exist. */
  public static final String CREDENTIALS_RESOLVED = "CredentialsResolved";

  /** On a ModelBackend: the provider accepted the key. */
  public static final String CREDENTIALS_VALID = "CredentialsValid";

  /** On a Workflow: the keys of the hosted backends its routes use are copied into its namespace. */
  public static final String CREDENTIALS_PROVISIONED = "CredentialsProvisioned";

  private HostedConditions() {}

  /** A condition stamped with {@code now} as its transition time (kept by {@link #upsert} when the status does not change). */
  public static Condition of(
      String type, String status, String reason, String message, Long generation, Instant now) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString())
        .build();
  }

  /**
   * {@code conditions} with {@code condition} replacing the one of its type, or added. The
   * transition time stays the old one when the status is unchanged, as metav1.Condition means.
   */
  public static List<Condition> upsert(List<Condition> conditions, Condition condition) {
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition existing : conditions == null ? List.<Condition>of() : conditions) {
      if (existing.getType().equals(condition.getType())) {
        Condition merged = copy(condition);
        if (Objects.equals(existing.getStatus(), condition.getStatus())
            && existing.getLastTransitionTime() != null) {
          merged.setLastTransitionTime(existing.getLastTransitionTime());
        }
        result.add(merged);
        replaced = true;
      } else {
        result.add(existing);
      }
    }
    if (!replaced) {
      result.add(copy(condition));
    }
    return result;
  }

  /** The condition of {@code type}, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when both say the same thing (the transition time aside). */
  public static boolean sameState(Condition a, Condition b) {
    return a != null
        && b != null
        && Objects.equals(a.getType(), b.getType())
        && Objects.equals(a.getStatus(), b.getStatus())
        && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getMessage(), b.getMessage())
        && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
  }

  private static Condition copy(Condition condition) {
    return new ConditionBuilder(condition).build();
  }
}
