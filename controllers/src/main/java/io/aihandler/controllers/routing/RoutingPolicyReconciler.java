package io.aihandler.controllers.routing;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RouteTarget;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.RoutingPolicyStatus;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.metrics.ReconcileMetrics;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.FailureStatus;
import io.aihandler.controllers.status.ResourceEvents;
import io.aihandler.controllers.status.StatusPatch;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reconciles RoutingPolicies: resolves every target to a ModelBackend (in the policy's namespace or
 * another that shares with it) and reports {@code Accepted}, {@code ResolvedRefs} and {@code
 * Ready}, with an Event when Ready changes. A change to any referenced backend re-evaluates the
 * policies that name it. It owns no objects and writes only the status, and only when it changes.
 */
@ControllerConfiguration(name = RoutingPolicyReconciler.NAME)
public class RoutingPolicyReconciler implements Reconciler<RoutingPolicy> {

  public static final String NAME = "routingpolicy";

  /** Index of the policy cache: the backends ({@code namespace/name}) a policy refers to. */
  static final String BACKEND_INDEX = "aihandler.io/backends";

  private final Clock clock;
  private final ReconcileMetrics metrics;

  public RoutingPolicyReconciler() {
    this(Clock.systemUTC());
  }

  public RoutingPolicyReconciler(Clock clock) {
    this(clock, OperatorMetrics.none());
  }

  public RoutingPolicyReconciler(Clock clock, OperatorMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics.reconciles();
  }

  @Override
  public List<EventSource<?, RoutingPolicy>> prepareEventSources(
      EventSourceContext<RoutingPolicy> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            BACKEND_INDEX,
            policy -> referencedBackends(policy).stream().map(BackendKey::toString).toList());
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ModelBackend.class, RoutingPolicy.class)
                .withSecondaryToPrimaryMapper(
                    backend ->
                        context
                            .getPrimaryCache()
                            .byIndex(BACKEND_INDEX, BackendKey.of(backend).toString())
                            .stream()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (RoutingPolicy policy) ->
                        referencedBackends(policy).stream()
                            .map(key -> new ResourceID(key.name(), key.namespace()))
                            .collect(Collectors.toSet()))
                .build(),
            context));
  }

  @Override
  public UpdateControl<RoutingPolicy> reconcile(
      RoutingPolicy policy, Context<RoutingPolicy> context) throws Exception {
    return metrics.time("RoutingPolicy", policy, () -> resolve(policy, context));
  }

  private UpdateControl<RoutingPolicy> resolve(
      RoutingPolicy policy, Context<RoutingPolicy> context) {
    Map<BackendKey, ModelBackend> backends = new HashMap<>();
    context
        .getSecondaryResources(ModelBackend.class)
        .forEach(backend -> backends.put(BackendKey.of(backend), backend));
    Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    RoutingPolicyResolution.Result result =
        RoutingPolicyResolution.resolve(
            policy,
            key -> Optional.ofNullable(backends.get(key)),
            namespace ->
                namespaceLabels.computeIfAbsent(namespace, name -> labelsOf(context, name)));

    long generation = Optional.ofNullable(policy.getMetadata().getGeneration()).orElse(0L);
    Instant now = clock.instant();
    StatusPatch.Written<RoutingPolicyStatus> written =
        StatusPatch.write(
            policy,
            context,
            UnaryOperator.identity(),
            stored -> {
              RoutingPolicyStatus status = new RoutingPolicyStatus();
              status.setObservedGeneration(generation);
              status.setConditions(
                  Conditions.merge(
                      stored == null ? List.of() : stored.getConditions(),
                      result.conditions(),
                      generation,
                      now));
              return status;
            });
    new ResourceEvents(context.getClient(), clock)
        .readyChanged(
            policy,
            written.stored() == null ? List.of() : written.stored().getConditions(),
            written.status().getConditions(),
            Set.of());
    return UpdateControl.noUpdate();
  }

  @Override
  public ErrorStatusUpdateControl<RoutingPolicy> updateErrorStatus(
      RoutingPolicy policy, Context<RoutingPolicy> context, Exception e) {
    return FailureStatus.readyFalse(
        policy,
        context,
        e,
        RoutingPolicyStatus::new,
        UnaryOperator.identity(),
        clock,
        new ResourceEvents(context.getClient(), clock));
  }

  /** Backends every route of the policy names. */
  public static Set<BackendKey> referencedBackends(RoutingPolicy policy) {
    if (policy.getSpec() == null || policy.getSpec().routes() == null) {
      return Set.of();
    }
    String namespace = policy.getMetadata().getNamespace();
    return policy.getSpec().routes().stream()
        .flatMap(
            route ->
                route.targets() == null ? Stream.<RouteTarget>empty() : route.targets().stream())
        .map(target -> BackendKey.of(target.backend(), namespace))
        .collect(Collectors.toSet());
  }

  /** Labels of a namespace, for shareWith selectors; empty when it cannot be read. */
  private static Map<String, String> labelsOf(Context<RoutingPolicy> context, String namespace) {
    Namespace found = context.getClient().namespaces().withName(namespace).get();
    return found == null || found.getMetadata().getLabels() == null
        ? Map.of()
        : found.getMetadata().getLabels();
  }
}
