package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.WorkflowStatus;
import io.aihandler.controllers.status.StatusPatch;
import java.util.List;
import java.util.Objects;

/**
 * Which fields of a Workflow's status the advisor owns: {@code tasks}, {@code advice} and the
 * {@code AdviceAvailable} condition. Each of the two writers (the Workflow reconciler and the
 * advisor) applies only its own fields under its own field manager, and compares only its own
 * fields with what is stored, so neither writes back a stale copy of the other's.
 */
public final class AdvisorStatusFields {

  /** Workflow: whether the advisor could read the metrics and advise on the tasks. */
  public static final String ADVICE_AVAILABLE = "AdviceAvailable";

  private AdvisorStatusFields() {}

  /** A copy of the status without the advisor's fields: what the Workflow reconciler owns. */
  public static WorkflowStatus withoutAdvice(WorkflowStatus status) {
    if (status == null) {
      return null;
    }
    WorkflowStatus copy = StatusPatch.copy(status);
    copy.setTasks(null);
    copy.setAdvice(null);
    copy.setConditions(
        copy.getConditions() == null
            ? List.of()
            : copy.getConditions().stream()
                .filter(c -> !Objects.equals(c.getType(), ADVICE_AVAILABLE))
                .toList());
    return copy;
  }

  /** A copy holding only the advisor's fields. */
  public static WorkflowStatus adviceOnly(WorkflowStatus status) {
    WorkflowStatus copy = new WorkflowStatus();
    if (status == null) {
      return copy;
    }
    WorkflowStatus full = StatusPatch.copy(status);
    copy.setTasks(full.getTasks());
    copy.setAdvice(full.getAdvice());
    copy.setConditions(
        full.getConditions() == null
            ? List.of()
            : full.getConditions().stream()
                .filter(c -> Objects.equals(c.getType(), ADVICE_AVAILABLE))
                .toList());
    return copy;
  }
}
