package io.aihandler.controllers.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/**
 * The owner reference every object the operator builds carries: its custom resource as the
 * controlling owner, so Kubernetes' garbage collector removes it with the resource and {@code
 * kubectl} shows who made it.
 */
public final class ControllerReference {

  private ControllerReference() {}

  /** A controlling owner reference to {@code owner} that blocks its deletion until GC ran. */
  public static OwnerReference to(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
