package io.aihandler.controllers.workflow;

import static io.aihandler.controllers.status.Conditions.READY;
import static io.aihandler.controllers.status.Conditions.RESOLVED_REFS;

import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Egress;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowStatus;
import io.aihandler.controllers.advisor.AdvisorStatusFields;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.metrics.ReconcileMetrics;
import io.aihandler.controllers.owned.OwnedObjectApplier;
import io.aihandler.controllers.routing.BackendLocality;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.routing.RoutingPolicyResolution.ResolvedRoute;
import io.aihandler.controllers.routing.RoutingPolicyResolution.ResolvedTarget;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.Conditions.Desired;
import io.aihandler.controllers.status.FailureStatus;
import io.aihandler.controllers.status.ResourceEvents;
import io.aihandler.controllers.status.StatusPatch;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles Workflows in one pass: observe (the policy, backends, namespaces, source keys and the
 * owned objects, all from caches) -> resolve the policy once -> build the credentials Secret, the
 * router ConfigMap and, for {@code spec.egress: restricted}, the egress NetworkPolicy -> apply them
 * -> report {@code ResolvedRefs}, {@code CredentialsProvisioned}, {@code Ready} and the config
 * hash, with an Event when Ready changes. An unchanged state causes no write. A document the
 * sidecar would refuse is never published: the last good one stays and the status says why.
 */
@ControllerConfiguration(name = WorkflowReconciler.NAME)
public class WorkflowReconciler implements Reconciler<Workflow> {

  public static final String NAME = "workflow";

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowReconciler.class);

  private final Clock clock;
  private final ProviderEndpoints providers;
  private final ReconcileMetrics metrics;
  private final WorkflowSources sources = new WorkflowSources();
  private final OperatorActivation activation;

  public WorkflowReconciler() {
    this(Clock.systemUTC(), ProviderEndpoints.PUBLIC);
  }

  /**
   * @param providers the providers' default base URLs (replaceable for air-gapped installations and
   *     the local demo)
   */
  public WorkflowReconciler(Clock clock, ProviderEndpoints providers) {
    this(clock, providers, OperatorMetrics.none());
  }

  /**
   * @param metrics counts and times every reconcile
   */
  public WorkflowReconciler(Clock clock, ProviderEndpoints providers, OperatorMetrics metrics) {
    this(clock, providers, metrics, OperatorActivation.NONE);
  }

  /**
   * @param activation how sidecars reach the operator's activation endpoint
   */
  public WorkflowReconciler(
      Clock clock,
      ProviderEndpoints providers,
      OperatorMetrics metrics,
      OperatorActivation activation) {
    this.clock = clock;
    this.providers = providers;
    this.metrics = metrics.reconciles();
    this.activation = activation;
  }

  @Override
  public List<EventSource<?, Workflow>> prepareEventSources(EventSourceContext<Workflow> context) {
    return sources.prepareEventSources(context);
  }

  @Override
  public UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context)
      throws Exception {
    return metrics.time("Workflow", workflow, () -> reconcileOnce(workflow, context));
  }

  private UpdateControl<Workflow> reconcileOnce(Workflow workflow, Context<Workflow> context) {
    String namespace = workflow.getMetadata().getNamespace();
    String configHash = workflow.getStatus() == null ? null : workflow.getStatus().getConfigHash();
    Optional<RoutingPolicy> policy = sources.policyOf(workflow);
    if (policy.isEmpty()) {
      // Without the policy nothing can be decided: every owned object is left as it is.
      String message =
          "RoutingPolicy " + namespace + "/" + workflow.getSpec().policyRef().name() + " not found";
      return status(
          workflow,
          context,
          List.of(
              CredentialPlan.policyNotFound(namespace, workflow.getSpec().policyRef().name())
                  .condition(),
              new Desired(RESOLVED_REFS, false, "PolicyNotFound", message),
              new Desired(READY, false, "PolicyNotFound", message)),
          Optional.empty());
    }

    RoutingPolicyResolution.Result resolution =
        RoutingPolicyResolution.resolve(policy.get(), sources::backend, sources::namespaceLabels);
    boolean restricted = workflow.getSpec().egress() == Egress.RESTRICTED;
    List<String> problems = taskProblems(workflow, policy.get(), resolution.routes(), restricted);
    EvaluationCandidates.Resolution candidates =
        EvaluationCandidates.resolve(
            workflow, policy.get(), sources::backend, sources::namespaceLabels);
    problems.addAll(candidates.problems());

    Optional<Secret> copy = sources.credentialsCopy(workflow);
    CredentialPlan.Plan credentials =
        CredentialPlan.plan(
            workflow, policy.get(), resolution, candidates.backends(), sources::sourceOf, copy);
    if (!credentials.entries().isEmpty()
        && copy.isEmpty()
        && WorkflowSources.nameTakenByOthers(
            context.getClient(), namespace, WorkflowObjectNames.credentialsSecret(workflow))) {
      credentials =
          credentials.nameTaken(namespace, WorkflowObjectNames.credentialsSecret(workflow));
    }
    Optional<Secret> secret =
        credentials.entries().isEmpty()
            ? Optional.empty()
            : Optional.of(CredentialSecretBuilder.build(workflow, credentials.entries()));
    RouterConfigRenderer.Rendered rendered =
        RouterConfigRenderer.render(
            workflow,
            policy.get(),
            resolution.routes(),
            candidates,
            credentials.keyed(),
            providers,
            activation.activation().get());
    Optional<ConfigMap> configMap =
        rendered.ok()
            ? Optional.of(RouterConfigMapBuilder.build(workflow, rendered.yaml(), rendered.hash()))
            : Optional.empty();
    Optional<NetworkPolicy> egressPolicy =
        restricted
            ? Optional.of(
                WorkflowEgressPolicyBuilder.build(
                    workflow,
                    inClusterBackends(resolution.routes(), candidates.backends()),
                    activation))
            : Optional.empty();

    if (!credentials.keepExisting()) {
      reconcileOwned(secret, copy, context, sources.copies());
    }
    configMap.ifPresent(
        desired ->
            reconcileOwned(
                Optional.of(desired),
                sources.routerConfig(workflow),
                context,
                sources.configMaps()));
    reconcileOwned(egressPolicy, sources.egressPolicy(workflow), context, sources.egressPolicies());

    List<Desired> conditions = new ArrayList<>();
    conditions.add(credentials.condition());
    conditions.add(
        problems.isEmpty()
            ? new Desired(
                RESOLVED_REFS,
                true,
                "Resolved",
                "Every task's route, data class and backends resolve")
            : new Desired(RESOLVED_REFS, false, "UnresolvedRefs", String.join("; ", problems)));
    if (!rendered.ok()) {
      String message =
          "the router configuration cannot be rendered: "
              + String.join("; ", rendered.problems())
              + (configHash == null ? "" : "; sidecars keep running configuration " + configHash);
      conditions.add(new Desired(READY, false, "InvalidRouterConfig", message));
      return status(workflow, context, conditions, Optional.empty());
    }
    Desired provisioned = credentials.condition();
    if (!problems.isEmpty()) {
      conditions.add(new Desired(READY, false, "UnresolvedRefs", String.join("; ", problems)));
    } else if (!provisioned.isTrue()) {
      conditions.add(new Desired(READY, false, provisioned.reason(), provisioned.message()));
    } else {
      conditions.add(
          new Desired(
              READY,
              true,
              "Ready",
              "Router configuration "
                  + rendered.hash()
                  + " is published in ConfigMap "
                  + WorkflowObjectNames.routerConfigMap(workflow)
                  + (restricted
                      ? "; egress restricted by NetworkPolicy "
                          + WorkflowObjectNames.egressPolicy(workflow)
                      : "")));
    }
    return status(workflow, context, conditions, Optional.of(rendered.hash()));
  }

  /**
   * A failed reconciliation (an apply the API server refused) turns Ready False with the reason.
   */
  @Override
  public ErrorStatusUpdateControl<Workflow> updateErrorStatus(
      Workflow workflow, Context<Workflow> context, Exception e) {
    // The advisor's fields are left to the advisor: this writer applies only its own.
    return FailureStatus.readyFalse(
        workflow,
        context,
        e,
        WorkflowStatus::new,
        AdvisorStatusFields::withoutAdvice,
        clock,
        new ResourceEvents(context.getClient(), clock));
  }

  /** The vLLM backends the routes reach: the only destinations a restricted Workflow's pods get. */
  static List<ModelBackend> inClusterBackends(List<ResolvedRoute> routes) {
    return inClusterBackends(routes, List.of());
  }

  /** The vLLM backends of the routes and of the evaluation candidates, which pods must reach. */
  static List<ModelBackend> inClusterBackends(
      List<ResolvedRoute> routes, List<ModelBackend> candidates) {
    return java.util.stream.Stream.concat(
            routes.stream().flatMap(route -> route.targets().stream()).map(ResolvedTarget::backend),
            candidates.stream())
        .filter(backend -> backend.getSpec() != null && backend.getSpec().vllm() != null)
        .distinct()
        .toList();
  }

  /**
   * What keeps a task from being served as declared; with restricted egress, a task whose route has
   * no vLLM backend its data class allows is one: the NetworkPolicy blocks every hosted API.
   */
  static List<String> taskProblems(
      Workflow workflow, RoutingPolicy policy, List<ResolvedRoute> routes, boolean restricted) {
    List<String> problems = new ArrayList<>();
    for (Task task : workflow.getSpec().tasks()) {
      Optional<ResolvedRoute> route =
          routes.stream().filter(r -> r.route().name().equals(task.route())).findFirst();
      if (route.isEmpty()) {
        problems.add(
            "task "
                + task.name()
                + ": RoutingPolicy "
                + policy.getMetadata().getName()
                + " has no route "
                + task.route());
        continue;
      }
      String className =
          task.dataClass() != null ? task.dataClass() : policy.getSpec().defaultDataClass();
      Optional<DataClass> dataClass =
          className == null ? Optional.empty() : dataClass(policy, className);
      if (className != null && dataClass.isEmpty()) {
        problems.add(
            "task "
                + task.name()
                + ": RoutingPolicy "
                + policy.getMetadata().getName()
                + " has no data class "
                + className);
        continue;
      }
      if (route.get().targets().isEmpty()) {
        problems.add("task " + task.name() + ": route " + task.route() + " has no usable backend");
      } else if (dataClass.isPresent()
          && RoutingPolicyResolution.allowedTargets(route.get(), dataClass.get()).isEmpty()) {
        List<String> allowed =
            dataClass.get().allowedLocalities().stream()
                .map(WorkflowReconciler::localityName)
                .toList();
        problems.add(
            "task "
                + task.name()
                + ": data class "
                + className
                + " may only reach "
                + allowed
                + " but route "
                + task.route()
                + " has no such backend ("
                + route.get().targets().stream()
                    .map(
                        t -> t.backend().getMetadata().getName() + ": " + localityName(t.backend()))
                    .toList()
                + ")");
      } else if (restricted) {
        List<ResolvedTarget> allowed =
            dataClass
                .map(c -> RoutingPolicyResolution.allowedTargets(route.get(), c))
                .orElse(route.get().targets());
        if (allowed.stream().noneMatch(t -> t.backend().getSpec().vllm() != null)) {
          problems.add(
              "task "
                  + task.name()
                  + ": spec.egress is restricted, so the pods reach only in-cluster vLLM backends,"
                  + " but route "
                  + task.route()
                  + " has none ("
                  + allowed.stream().map(t -> t.backend().getMetadata().getName()).toList()
                  + ")");
        }
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

  /** Applies the desired object, or deletes the existing one when none is desired. */
  private static <R extends HasMetadata> void reconcileOwned(
      Optional<R> desired,
      Optional<R> existing,
      Context<Workflow> context,
      InformerEventSource<R, Workflow> informer) {
    if (desired.isPresent()) {
      OwnedObjectApplier.Applied<R> applied =
          OwnedObjectApplier.apply(desired.get(), existing.orElse(null), context, informer);
      if (applied.outcome() != OwnedObjectApplier.Outcome.UNCHANGED) {
        LOG.info(
            "{} {} {}/{}",
            applied.outcome(),
            desired.get().getKind(),
            desired.get().getMetadata().getNamespace(),
            desired.get().getMetadata().getName());
      }
    } else if (existing.isPresent()) {
      LOG.info(
          "DELETED {} {}/{}: no longer wanted",
          existing.get().getKind(),
          existing.get().getMetadata().getNamespace(),
          existing.get().getMetadata().getName());
      OwnedObjectApplier.delete(existing.get(), context.getClient());
    }
  }

  /**
   * Writes the status when it says something new; no write otherwise.
   *
   * @param published the hash of the config just published; empty: the ConfigMap was left as it
   *     was, and so is the stored hash
   */
  private UpdateControl<Workflow> status(
      Workflow workflow,
      Context<Workflow> context,
      List<Desired> conditions,
      Optional<String> published) {
    long generation = Optional.ofNullable(workflow.getMetadata().getGeneration()).orElse(0L);
    Instant now = clock.instant();
    // Only this reconciler's fields are compared and applied; the advisor owns the rest.
    StatusPatch.Written<WorkflowStatus> written =
        StatusPatch.write(
            workflow,
            context,
            AdvisorStatusFields::withoutAdvice,
            stored -> {
              WorkflowStatus status = new WorkflowStatus();
              status.setObservedGeneration(generation);
              status.setConditions(
                  Conditions.merge(
                      stored == null ? List.of() : stored.getConditions(),
                      conditions,
                      generation,
                      now));
              String configHash = published.orElse(stored == null ? null : stored.getConfigHash());
              status.setConfigHash(configHash);
              status.setConfigMapName(
                  configHash == null ? null : WorkflowObjectNames.routerConfigMap(workflow));
              return status;
            });
    new ResourceEvents(context.getClient(), clock)
        .readyChanged(
            workflow,
            written.stored() == null ? List.of() : written.stored().getConditions(),
            written.status().getConditions(),
            Set.of());
    return UpdateControl.noUpdate();
  }
}
