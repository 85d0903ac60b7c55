package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.vllm.VllmBackend;
import io.aihandler.router.config.Capacity;
import io.aihandler.router.config.CapacityState;

/**
 * The capacity state a vLLM backend is rendered with, from its status: {@code ready} with at least
 * one ready replica (partial loss keeps it ready: the rest serve while the Deployment replaces the
 * lost pods), {@code scaled-to-zero} when zero replicas are wanted, {@code starting} when replicas
 * are wanted and none is ready (loading, a preempted node, a crash loop, a rollout with none ready,
 * or no status yet). Pure.
 */
public final class BackendCapacity {

  private BackendCapacity() {}

  /**
   * The capacity of a vLLM backend; null for any other (hosted, or a vLLM spec that is invalid).
   */
  public static Capacity of(ModelBackend backend) {
    if (backend.getSpec() == null || backend.getSpec().vllm() == null) {
      return null;
    }
    try {
      VllmBackend.of(backend);
    } catch (IllegalArgumentException invalid) {
      return null;
    }
    return new Capacity(state(backend.getStatus()), key(backend));
  }

  /** What an activation names: {@code namespace/name}. */
  public static String key(ModelBackend backend) {
    return backend.getMetadata().getNamespace() + "/" + backend.getMetadata().getName();
  }

  private static CapacityState state(ModelBackendStatus status) {
    if (status == null) {
      return CapacityState.STARTING;
    }
    if (status.getReadyReplicas() != null && status.getReadyReplicas() > 0) {
      return CapacityState.READY;
    }
    if (status.getDesiredReplicas() != null && status.getDesiredReplicas() == 0) {
      return CapacityState.SCALED_TO_ZERO;
    }
    return CapacityState.STARTING;
  }
}
