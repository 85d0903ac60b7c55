package io.aihandler.controllers.routing;

import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.ModelBackend;

/** Where a backend runs, with the API's defaults applied. */
public final class BackendLocality {

  private BackendLocality() {}

  /** {@code spec.locality}, or in-cluster for vLLM and external for hosted backends. */
  public static Locality of(ModelBackend backend) {
    if (backend.getSpec().locality() != null) {
      return backend.getSpec().locality();
    }
    return backend.getSpec().vllm() != null ? Locality.IN_CLUSTER : Locality.EXTERNAL;
  }
}
