package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowStatus;
import io.aihandler.controllers.hosted.HostedConditions;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.hosted.WorkflowCredentials;
import io.aihandler.controllers.modelbackend.StatusConditions;
import io.aihandler.controllers.modelbackend.StatusConditions.Desired;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.BackendLocality;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.routing.RoutingPolicyResolution.ResolvedRoute;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles Workflows: resolves the policy, routes, data classes and backends the tasks use,
 * keeps the credentials Secret (see {@link WorkflowCredentials}), renders the router document into
 * the ConfigMap the sidecars mount, and reports {@code ResolvedRefs}, {@code
 * CredentialsProvisioned}, {@code Ready} and the config hash. Any change to the Workflow, its
 * policy, a backend (endpoint, readiness, pricing), a namespace's labels or a source key re-renders;
 * an unchanged document causes no write. A document the sidecar would refuse is never published:
 * the last good one stays and the status says why.
 */
@ControllerConfiguration(name = WorkflowReconciler.NAME)
public class WorkflowReconciler implements Reconciler<Workflow> {

  public static final String NAME = "workflow";

  public static final String RESOLVED_REFS = "ResolvedRefs";
  public static final String READY = "Ready";

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowReconciler.class);

  private final Clock clock;
  private final ProviderEndpoints providers;
  private final WorkflowCredentials credentials = new WorkflowCredentials();
  private InformerEventSource<ConfigMap, Workflow> configMaps;

  public WorkflowReconciler() {
    this(Clock.systemUTC(), ProviderEndpoints.PUBLIC);
  }

  /**
   * @param providers the providers' default base URLs (replaceable for air-gapped installations
   *     and the local demo)
   */
  public WorkflowReconciler(Clock clock, ProviderEndpoints providers) {
    this.clock = clock;
    this.providers = providers;
  }

  @Override
  public List<EventSource<?, Workflow>> prepareEventSources(EventSourceContext<Workflow> context) {
    List<EventSource<?, Workflow>> sources = new ArrayList<>(credentials.prepareEventSources(context));
    configMaps =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, Workflow.class)
                .withName("router-configs")
                .withLabelSelector(RouterConfigMapBuilder.labelSelector())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Workflow.class))
                .build(),
            context);
    sources.add(configMaps);
    return sources;
  }

  @Override
  public UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context) {
    String namespace = workflow.getMetadata().getNamespace();
    List<Desired> conditions = new ArrayList<>();
    WorkflowCredentials.Outcome provisioning = credentials.provision(workflow, context);
    conditions.add(new Desired(HostedConditions.CREDENTIALS_PROVISIONED, provisioning.provisioned(), provisioning.reason(), provisioning.message()));

    Optional<RoutingPolicy> policy = credentials.policyOf(workflow);
    String configHash = workflow.getStatus() == null ? null : workflow.getStatus().getConfigHash();
    if (policy.isEmpty()) {
      String message = "RoutingPolicy " + namespace + "/" + workflow.getSpec().policyRef().name() + " not found";
      conditions.add(new Desired(RESOLVED_REFS, false, "PolicyNotFound", message));
      conditions.add(new Desired(READY, false, "PolicyNotFound", message));
      return status(workflow, conditions, configHash);
    }

    RoutingPolicyResolution.Result resolution =
        RoutingPolicyResolution.resolve(
            policy.get(),
            key -> credentials.backend(key.namespace(), key.name()),
            credentials::namespaceLabels);
    List<String> problems = taskProblems(workflow, policy.get(), resolution.routes());
    conditions.add(
        problems.isEmpty()
            ? new Desired(RESOLVED_REFS, true, "Resolved", "Every task's route, data class and backends resolve")
            : new Desired(RESOLVED_REFS, false, "UnresolvedRefs", String.join("; ", problems)));

    RouterConfigRenderer.Rendered rendered =
        RouterConfigRenderer.render(
            workflow,
            policy.get(),
            resolution.routes(),
            provisioning.keyed().stream()
                .map(id -> new BackendKey(id.getNamespace().orElseThrow(), id.getName()))
                .collect(Collectors.toSet()),
            providers);
    if (!rendered.ok()) {
      String message = "the router configuration cannot be rendered: " + String.join("; ", rendered.problems())
          + (configHash == null ? "" : "; sidecars keep running configuration " + configHash);
      conditions.add(new Desired(READY, false, "InvalidRouterConfig", message));
      return status(workflow, conditions, configHash);
    }
    applyConfigMap(workflow, context, rendered);
    if (!problems.isEmpty()) {
      conditions.add(new Desired(READY, false, "UnresolvedRefs", String.join("; ", problems)));
    } else if (!provisioning.provisioned()) {
      conditions.add(new Desired(READY, false, provisioning.reason(), provisioning.message()));
    } else {
      conditions.add(new Desired(READY, true, "Ready", "Router configuration " + rendered.hash() + " is published in ConfigMap " + WorkflowObjectNames.routerConfigMap(workflow)));
    }
    return status(workflow, conditions, rendered.hash());
  }

  /** What keeps a task from being served as declared. */
  static List<String> taskProblems(Workflow workflow, RoutingPolicy policy, List<ResolvedRoute> routes) {
    List<String> problems = new ArrayList<>();
    for (Task task : workflow.getSpec().tasks()) {
      Optional<ResolvedRoute> route = routes.stream().filter(r -> r.route().name().equals(task.route())).findFirst();
      if (route.isEmpty()) {
        problems.add("task " + task.name() + ": RoutingPolicy " + policy.getMetadata().getName() + " has no route " + task.route());
        continue;
      }
      String className = task.dataClass() != null ? task.dataClass() : policy.getSpec().defaultDataClass();
      Optional<DataClass> dataClass = className == null ? Optional.empty() : dataClass(policy, className);
      if (className != null && dataClass.isEmpty()) {
        problems.add("task " + task.name() + ": RoutingPolicy " + policy.getMetadata().getName() + " has no data class " + className);
        continue;
      }
      if (route.get().targets().isEmpty()) {
        problems.add("task " + task.name() + ": route " + task.route() + " has no usable backend");
      } else if (dataClass.isPresent() && RoutingPolicyResolution.allowedTargets(route.get(), dataClass.get()).isEmpty()) {
        List<String> allowed = dataClass.get().allowedLocalities().stream().map(WorkflowReconciler::localityName).toList();
        problems.add("task " + task.name() + ": data class " + className + " may only reach " + allowed
            + " but route " + task.route() + " has no such backend ("
            + route.get().targets().stream().map(t -> t.backend().getMetadata().getName() + ": " + localityName(t.backend())).toList()
            + ")");
      }
    }
    return problems;
  }

  private static String localityName(ModelBackend backend) {
    return localityName(BackendLocality.of(backend));
  }

  private static String localityName(Locality locality) {
    return locality == Locality.IN_CLUSTER ? "in-cluster" : "external";
  }

  private static Optional<DataClass> dataClass(RoutingPolicy policy, String name) {
    return Optional.ofNullable(policy.getSpec().dataClasses()).orElse(List.of()).stream()
        .filter(c -> c.name().equals(name))
        .findFirst();
  }

  private void applyConfigMap(Workflow workflow, Context<Workflow> context, RouterConfigRenderer.Rendered rendered) {
    ResourceID id = new ResourceID(WorkflowObjectNames.routerConfigMap(workflow), workflow.getMetadata().getNamespace());
    Optional<ConfigMap> existing = configMaps.get(id);
    boolean current = existing
        .map(map -> map.getMetadata().getAnnotations() == null ? null : map.getMetadata().getAnnotations().get(RouterConfigMapBuilder.HASH_ANNOTATION))
        .filter(rendered.hash()::equals)
        .isPresent();
    if (current) {
      return;
    }
    ConfigMap desired = RouterConfigMapBuilder.build(workflow, rendered.yaml(), rendered.hash());
    ConfigMap applied = context.getClient().configMaps()
        .inNamespace(workflow.getMetadata().getNamespace())
        .resource(desired)
        .fieldManager(NAME)
        .forceConflicts()
        .serverSideApply();
    configMaps.handleRecentResourceUpdate(id, applied, existing.orElse(null));
    LOG.info("Workflow {}/{}: router configuration {} published", workflow.getMetadata().getNamespace(), workflow.getMetadata().getName(), rendered.hash());
  }

  /** Patches the status when it says something new; no write otherwise. */
  private UpdateControl<Workflow> status(Workflow workflow, List<Desired> conditions, String configHash) {
    WorkflowStatus previous = workflow.getStatus();
    long generation = Optional.ofNullable(workflow.getMetadata().getGeneration()).orElse(0L);
    WorkflowStatus status = new WorkflowStatus();
    status.setObservedGeneration(generation);
    status.setConditions(StatusConditions.merge(previous == null ? List.of() : previous.getConditions(), conditions, generation, clock.instant()));
    status.setConfigHash(configHash);
    status.setConfigMapName(configHash == null ? null : WorkflowObjectNames.routerConfigMap(workflow));
    if (previous != null
        && Objects.equals(previous.getObservedGeneration(), status.getObservedGeneration())
        && Objects.equals(previous.getConditions(), status.getConditions())
        && Objects.equals(previous.getConfigHash(), status.getConfigHash())
        && Objects.equals(previous.getConfigMapName(), status.getConfigMapName())) {
      return UpdateControl.noUpdate();
    }
    Workflow patch = new Workflow();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(workflow.getMetadata().getName())
        .withNamespace(workflow.getMetadata().getNamespace())
        .build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }
}
