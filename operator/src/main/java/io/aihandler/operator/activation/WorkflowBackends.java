package io.aihandler.operator.activation;

import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.owned.ManagedLabels;
import io.aihandler.controllers.workflow.RouterConfigRenderer;
import io.aihandler.controllers.workflow.WorkflowObjectNames;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.InvalidRouterConfigException;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Whether a namespace's Workflows route to a backend: one of them has a published router config
 * that lists it (as {@code capacity.modelBackend}). Only a config the operator published counts:
 * the ConfigMap must carry the operator's label, and its document must hash to the {@code
 * configHash} in the Workflow's status, which only the operator writes; so editing the ConfigMap by
 * hand grants nothing.
 */
final class WorkflowBackends {

  private final KubernetesClient client;
  private final Function<String, List<Workflow>> workflowsIn;

  /**
   * @param workflowsIn the Workflows of a namespace (from the operator's informer)
   */
  WorkflowBackends(KubernetesClient client, Function<String, List<Workflow>> workflowsIn) {
    this.client = client;
    this.workflowsIn = workflowsIn;
  }

  boolean includes(String namespace, String backendKey) {
    for (Workflow workflow : workflowsIn.apply(namespace)) {
      String hash = workflow.getStatus() == null ? null : workflow.getStatus().getConfigHash();
      if (hash == null) {
        continue;
      }
      ConfigMap configMap =
          client
              .configMaps()
              .inNamespace(namespace)
              .withName(WorkflowObjectNames.routerConfigMap(workflow))
              .get();
      if (configMap == null
          || configMap.getMetadata().getLabels() == null
          || !ManagedLabels.ROUTER_CONFIG.equals(
              configMap.getMetadata().getLabels().get(ManagedLabels.COMPONENT))
          || configMap.getData() == null) {
        continue;
      }
      String yaml = configMap.getData().get(WorkflowObjectNames.CONFIG_KEY);
      if (yaml == null || !hash.equals(RouterConfigRenderer.hash(yaml))) {
        continue;
      }
      if (lists(yaml, backendKey, namespace + "/" + workflow.getMetadata().getName())) {
        return true;
      }
    }
    return false;
  }

  private static boolean lists(String yaml, String backendKey, String workflow) {
    RouterConfig config;
    try {
      config = RouterConfigLoader.parse(yaml, "router config of Workflow " + workflow);
    } catch (InvalidRouterConfigException e) {
      return false;
    }
    return config.backends().stream()
        .map(Backend::capacity)
        .filter(Objects::nonNull)
        .anyMatch(capacity -> backendKey.equals(capacity.modelBackend()));
  }
}
