package io.aihandler.controllers.routing;

import io.aihandler.api.v1alpha1.BackendRef;
import io.aihandler.api.v1alpha1.ModelBackend;

/** A ModelBackend's namespace and name, as routes refer to it. */
public record BackendKey(String namespace, String name) {

  /** The backend a target refers to; its namespace defaults to the referring object's. */
  public static BackendKey of(BackendRef ref, String defaultNamespace) {
    return new BackendKey(ref.namespace() == null ? defaultNamespace : ref.namespace(), ref.name());
  }

  public static BackendKey of(ModelBackend backend) {
    return new BackendKey(backend.getMetadata().getNamespace(), backend.getMetadata().getName());
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
