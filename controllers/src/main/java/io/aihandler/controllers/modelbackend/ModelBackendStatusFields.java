package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.status.StatusPatch;

/**
 * Which fields of a ModelBackend's status each writer owns: the activation endpoint (served by
 * every operator replica) writes {@code lastActivationTime}, the ModelBackend reconciler everything
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
    return copy;
  }
}
