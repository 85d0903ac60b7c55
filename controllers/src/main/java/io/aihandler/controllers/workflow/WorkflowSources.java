package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.aihandler.controllers.owned.ManagedLabels;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyReconciler;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything a Workflow reconcile observes, from the operator's caches: its RoutingPolicy, the
 * ModelBackends the policy names, the namespaces (for {@code shareWith} selectors), the source
 * Secrets (label {@value SourceSecrets#LABEL} only) and the objects owned by the Workflow (its
 * credentials Secret, router ConfigMap and egress NetworkPolicy, by label). Each change is mapped
 * back to the Workflows it affects, so a rotated key or a backend's new endpoint reaches every
 * Workflow in the reconcile that follows.
 */
final class WorkflowSources {

  private InformerEventSource<RoutingPolicy, Workflow> policies;
  private InformerEventSource<ModelBackend, Workflow> backends;
  private InformerEventSource<Namespace, Workflow> namespaces;
  private InformerEventSource<Secret, Workflow> sources;
  private InformerEventSource<Secret, Workflow> copies;
  private InformerEventSource<ConfigMap, Workflow> configMaps;
  private InformerEventSource<NetworkPolicy, Workflow> egressPolicies;

  /** The informers; the Workflow reconciler registers them. */
  List<EventSource<?, Workflow>> prepareEventSources(EventSourceContext<Workflow> context) {
    policies =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(RoutingPolicy.class, Workflow.class)
                .withName("workflow-policies")
                .withSecondaryToPrimaryMapper(
                    policy -> workflowsOf(context, Set.of(ResourceID.fromResource(policy))))
                .build(),
            context);
    backends =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ModelBackend.class, Workflow.class)
                .withName("workflow-backends")
                .withSecondaryToPrimaryMapper(
                    backend -> workflowsUsing(context, Set.of(ResourceID.fromResource(backend))))
                .build(),
            context);
    namespaces =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Namespace.class, Workflow.class)
                .withName("workflow-namespaces")
                .withSecondaryToPrimaryMapper(
                    namespace ->
                        context
                            .getPrimaryCache()
                            .list(namespace.getMetadata().getName(), workflow -> true)
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    sources =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, Workflow.class)
                .withName("credential-sources")
                .withLabelSelector(SourceSecrets.labelSelector())
                .withSecondaryToPrimaryMapper(
                    secret ->
                        workflowsUsing(
                            context,
                            SourceSecrets.readers(backends.list(b -> true).toList(), secret)))
                .build(),
            context);
    copies =
        owned(Secret.class, "credential-copies", CredentialSecretBuilder.labelSelector(), context);
    configMaps =
        owned(ConfigMap.class, "router-configs", RouterConfigMapBuilder.labelSelector(), context);
    egressPolicies =
        owned(
            NetworkPolicy.class,
            "egress-policies",
            ManagedLabels.selector(ManagedLabels.WORKFLOW_EGRESS),
            context);
    return List.of(policies, backends, namespaces, sources, copies, configMaps, egressPolicies);
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSource<R, Workflow> owned(
          Class<R> kind, String name, String selector, EventSourceContext<Workflow> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(kind, Workflow.class)
            .withName(name)
            .withLabelSelector(selector)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Workflow.class))
            .build(),
        context);
  }

  /** The RoutingPolicy a Workflow names. */
  Optional<RoutingPolicy> policyOf(Workflow workflow) {
    if (workflow.getSpec() == null || workflow.getSpec().policyRef() == null) {
      return Optional.empty();
    }
    return policies.get(
        new ResourceID(
            workflow.getSpec().policyRef().name(), workflow.getMetadata().getNamespace()));
  }

  /** A ModelBackend. */
  Optional<ModelBackend> backend(BackendKey key) {
    return backends.get(new ResourceID(key.name(), key.namespace()));
  }

  /** The labels of a namespace (empty when unknown). */
  Map<String, String> namespaceLabels(String namespace) {
    return namespaces
        .get(new ResourceID(namespace))
        .map(n -> n.getMetadata().getLabels())
        .filter(Objects::nonNull)
        .orElse(Map.of());
  }

  /** The source Secret of a hosted backend. */
  Optional<Secret> sourceOf(ModelBackend backend) {
    return SourceSecrets.lookup(sources, backend);
  }

  Optional<Secret> credentialsCopy(Workflow workflow) {
    return copies.get(
        new ResourceID(
            WorkflowObjectNames.credentialsSecret(workflow),
            workflow.getMetadata().getNamespace()));
  }

  Optional<ConfigMap> routerConfig(Workflow workflow) {
    return configMaps.get(
        new ResourceID(
            WorkflowObjectNames.routerConfigMap(workflow), workflow.getMetadata().getNamespace()));
  }

  Optional<NetworkPolicy> egressPolicy(Workflow workflow) {
    return egressPolicies.get(
        new ResourceID(
            WorkflowObjectNames.egressPolicy(workflow), workflow.getMetadata().getNamespace()));
  }

  /**
   * Whether a Secret of the copy's name exists that is not the operator's (the label-filtered cache
   * cannot see it, so this asks the API server).
   */
  static boolean nameTakenByOthers(KubernetesClient client, String namespace, String name) {
    Secret found = client.secrets().inNamespace(namespace).withName(name).get();
    return found != null
        && !CredentialSecretBuilder.COMPONENT.equals(
            found.getMetadata().getLabels() == null
                ? null
                : found.getMetadata().getLabels().get(ManagedLabels.COMPONENT));
  }

  InformerEventSource<Secret, Workflow> copies() {
    return copies;
  }

  InformerEventSource<ConfigMap, Workflow> configMaps() {
    return configMaps;
  }

  InformerEventSource<NetworkPolicy, Workflow> egressPolicies() {
    return egressPolicies;
  }

  private Set<ResourceID> workflowsUsing(
      EventSourceContext<Workflow> context, Set<ResourceID> backendIds) {
    if (backendIds.isEmpty() || policies == null) {
      return Set.of();
    }
    Set<ResourceID> policyIds =
        policies
            .list(
                policy ->
                    RoutingPolicyReconciler.referencedBackends(policy).stream()
                        .anyMatch(
                            key ->
                                backendIds.contains(new ResourceID(key.name(), key.namespace()))))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet());
    return workflowsOf(context, policyIds);
  }

  private static Set<ResourceID> workflowsOf(
      EventSourceContext<Workflow> context, Set<ResourceID> policyIds) {
    return context
        .getPrimaryCache()
        .list(
            workflow ->
                workflow.getSpec() != null
                    && workflow.getSpec().policyRef() != null
                    && policyIds.contains(
                        new ResourceID(
                            workflow.getSpec().policyRef().name(),
                            workflow.getMetadata().getNamespace())))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
