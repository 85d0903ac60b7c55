package io.aihandler.controllers.vllm;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.Optional;

/**
 * Desired state of the PodDisruptionBudget of a vLLM backend that may run more than one replica:
 * node drains evict one pod at a time, so the model keeps serving while a replacement loads. A
 * single replica gets none, since a budget would block drains of its node for good.
 */
public final class VllmPodDisruptionBudgetBuilder {

  private VllmPodDisruptionBudgetBuilder() {}

  /** The budget, or empty when at most one replica may run. */
  public static Optional<PodDisruptionBudget> build(VllmBackend backend) {
    if (backend.maxReplicas() <= 1) {
      return Optional.empty();
    }
    return Optional.of(
        new PodDisruptionBudgetBuilder()
            .withMetadata(backend.ownedMetadata(backend.name()))
            .withNewSpec()
            .withMaxUnavailable(new IntOrString(1))
            .withNewSelector()
            .withMatchLabels(backend.selectorLabels())
            .endSelector()
            .endSpec()
            .build());
  }
}
