package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.owned.ControllerReference;
import io.aihandler.controllers.owned.ManagedLabels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** The ConfigMap that carries a Workflow's router document to its sidecars. Pure. */
public final class RouterConfigMapBuilder {

  /** Annotation with the document's hash, the one sidecars report on /readyz. */
  public static final String HASH_ANNOTATION = "aihandler.io/config-hash";

  private RouterConfigMapBuilder() {}

  /** Label selector of the router ConfigMaps, for the operator's label-filtered informer. */
  public static String labelSelector() {
    return ManagedLabels.selector(ManagedLabels.ROUTER_CONFIG);
  }

  public static ConfigMap build(Workflow workflow, String yaml, String hash) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(WorkflowObjectNames.routerConfigMap(workflow))
        .withNamespace(workflow.getMetadata().getNamespace())
        .addToLabels(ManagedLabels.of(ManagedLabels.ROUTER_CONFIG))
        .addToLabels(Workflow.WORKFLOW_LABEL, workflow.getMetadata().getName())
        .addToAnnotations(HASH_ANNOTATION, hash)
        .addToOwnerReferences(ControllerReference.to(workflow))
        .endMetadata()
        .addToData(WorkflowObjectNames.CONFIG_KEY, yaml)
        .build();
  }
}
