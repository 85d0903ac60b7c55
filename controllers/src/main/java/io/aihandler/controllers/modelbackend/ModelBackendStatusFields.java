package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.StatusPatch;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/**
 * Which fields of a ModelBackend's status each writer owns: the activation endpoint (served by
 * every operator replica) writes {@code lastActivationTime}, the spill-over reporter {@code
 * spillOver} and the {@code SpillOverMeasured} condition, the ModelBackend reconciler everything
 * else. Each writer applies only its own fields and compares only its own with what is stored, so
 * none writes back a stale copy of another's.
 */
public final class ModelBackendStatusFields {

  private ModelBackendStatusFields() {}

  /** A copy of the status with only the reconciler's fields (null stays null). */
  public static ModelBackendStatus reconcilerOwned(ModelBackendStatus status) {
    if (status == null) {
      return null;
    }
    ModelBackendStatus copy = StatusPatch.copy(status);
    copy.setLastActivationTime(null);
    copy.setSpillOver(null);
    copy.setConditions(
        conditions(copy).stream()
            .filter(c -> !Objects.equals(c.getType(), Conditions.SPILL_OVER_MEASURED))
            .toList());
    return copy;
  }

  /** A copy holding only the spill-over reporter's fields; never null. */
  public static ModelBackendStatus spillOverOnly(ModelBackendStatus status) {
    ModelBackendStatus copy = new ModelBackendStatus();
    if (status == null) {
      return copy;
    }
    ModelBackendStatus full = StatusPatch.copy(status);
    copy.setSpillOver(full.getSpillOver());
    copy.setConditions(
        conditions(full).stream()
            .filter(c -> Objects.equals(c.getType(), Conditions.SPILL_OVER_MEASURED))
            .toList());
    return copy;
  }

  private static List<Condition> conditions(ModelBackendStatus status) {
    return status.getConditions() == null ? List.of() : status.getConditions();
  }
}
