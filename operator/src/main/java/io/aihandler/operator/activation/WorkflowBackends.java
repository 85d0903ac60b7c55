package io.aihandler.operator.activation;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a namespace's Workflows route to a backend: one of them has a published router config
 * ({@code status.configHash}, which only the operator writes) and its RoutingPolicy names the
 * backend in a route. That is the rule that puts a vLLM backend into the rendered config (every
 * target that exists is rendered, cold or not), read from the resources rather than from the
 * ConfigMap: the ConfigMap and the Workflow's status are written one after the other, and a sidecar
 * must not be refused in between.
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
    Map<String, Optional<RoutingPolicy>> policies = new HashMap<>();
    for (Workflow workflow : workflowsIn.apply(namespace)) {
      if (workflow.getStatus() == null
          || workflow.getStatus().getConfigHash() == null
          || workflow.getSpec() == null
          || workflow.getSpec().policyRef() == null) {
        continue;
      }
      Optional<RoutingPolicy> policy =
          policies.computeIfAbsent(
              workflow.getSpec().policyRef().name(),
              name ->
                  Optional.ofNullable(
                      client
                          .resources(RoutingPolicy.class)
                          .inNamespace(namespace)
                          .withName(name)
                          .get()));
      if (policy.isPresent()
          && RoutingPolicyReconciler.referencedBackends(policy.get()).stream()
              .map(BackendKey::toString)
              .anyMatch(backendKey::equals)) {
        return true;
      }
    }
    return false;
  }
}
