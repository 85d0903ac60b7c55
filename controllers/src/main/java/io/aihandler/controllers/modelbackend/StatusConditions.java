package io.aihandler.controllers.modelbackend;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes metav1 conditions the Kubernetes way: a condition's {@code lastTransitionTime} changes
 * only when its status changes, so an unchanged state produces an identical status and no write.
 */
public final class StatusConditions {

  /** Condition types of ModelBackend. */
  public static final String READY = "Ready";

  /** Whether the vLLM Deployment has at least one pod serving. */
  public static final String WORKLOAD_AVAILABLE = "WorkloadAvailable";

  private StatusConditions() {}

  /** A condition to set: its type, status, reason and message. */
  public record Desired(String type, boolean status, String reason, String message) {}

  /**
   * The previous conditions with the desired ones set; conditions of other types are kept.
   *
   * @param now the time of a transition, truncated to seconds as the API server stores it
   */
  public static List<Condition> merge(List<Condition> previous, List<Desired> desired, long generation, Instant now) {
    List<Condition> result = new ArrayList<>(previous == null ? List.of() : previous);
    for (Desired wanted : desired) {
      String status = wanted.status() ? "True" : "False";
      Condition old = find(result, wanted.type());
      String transition =
          old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
              ? old.getLastTransitionTime()
              : now.truncatedTo(ChronoUnit.SECONDS).toString();
      Condition condition =
          new ConditionBuilder()
              .withType(wanted.type())
              .withStatus(status)
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
    return conditions.stream().filter(c -> Objects.equals(c.getType(), type)).findFirst().orElse(null);
  }
}
