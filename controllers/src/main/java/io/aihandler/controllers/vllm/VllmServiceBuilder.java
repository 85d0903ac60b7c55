package io.aihandler.controllers.vllm;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** Desired state of the ClusterIP Service routers use to reach a vLLM backend on port 8000. */
public final class VllmServiceBuilder {

  private VllmServiceBuilder() {}

  /** Builds the Service, named like the ModelBackend. */
  public static Service build(VllmBackend backend) {
    return new ServiceBuilder()
        .withMetadata(backend.ownedMetadata(backend.name()))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(backend.selectorLabels())
        .addNewPort()
        .withName(VllmBackend.PORT_NAME)
        .withPort(VllmBackend.PORT)
        .withTargetPort(new IntOrString(VllmBackend.PORT_NAME))
        .withProtocol("TCP")
        .withAppProtocol("http")
        .endPort()
        .endSpec()
        .build();
  }
}
