package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.ControllerReference;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** The ConfigMap that carries a Workflow's router document to its sidecars. Pure. */
public final class RouterConfigMapBuilder {

  /** Annotation with the document's hash, the one sidecars report on /readyz. */
  public static final String HASH_ANNOTATION = "aihandler.io/config-hash";

  /** Value of {@code app.kubernetes.io/component} on router ConfigMaps. */
  public static final String COMPONENT = "router-config";

  /** Value of {@code app.kubernetes.io/managed-by} on everything the operator builds. */
  public static final String MANAGED_BY = "aihandler-operator";

  private RouterConfigMapBuilder() {}

  /** Label selector of the router ConfigMaps, for the operator's label-filtered informer. */
  public static String labelSelector() {
    return "app.kubernetes.io/managed-by=" + MANAGED_BY + ",app.kubernetes.io/component=" + COMPONENT;
  }

  public static ConfigMap build(Workflow workflow, String yaml, String hash) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(WorkflowObjectNames.routerConfigMap(workflow))
        .withNamespace(workflow.getMetadata().getNamespace())
        .addToLabels("app.kubernetes.io/managed-by", MANAGED_BY)
        .addToLabels("app.kubernetes.io/component", COMPONENT)
        .addToLabels(Workflow.WORKFLOW_LABEL, workflow.getMetadata().getName())
        .addToAnnotations(HASH_ANNOTATION, hash)
        .addToOwnerReferences(ControllerReference.to(workflow))
        .endMetadata()
        .addToData(WorkflowObjectNames.CONFIG_KEY, yaml)
        .build();
  }
}
