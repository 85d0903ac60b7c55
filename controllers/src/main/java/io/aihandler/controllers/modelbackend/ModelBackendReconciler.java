package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.autoscaling.VllmAutoscaler;
import io.aihandler.controllers.autoscaling.VllmMetricsScraper;
import io.aihandler.controllers.hosted.CredentialVerifier;
import io.aihandler.controllers.hosted.CredentialsCheck;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.aihandler.controllers.hosted.VerificationSchedule;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.owned.ManagedLabels;
import io.aihandler.controllers.owned.OwnedObjectApplier;
import io.aihandler.controllers.status.FailureStatus;
import io.aihandler.controllers.status.ResourceEvents;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Set;

/**
 * Reconciles ModelBackends. A backend is either self-hosted ({@code spec.vllm}: the operator runs
 * and autoscales a vLLM workload, see {@link VllmWorkloadReconciler}) or hosted ({@code
 * spec.hosted}: a provider's API, whose credentials are handled separately); this class only wires
 * the informers and dispatches on the kind.
 *
 * <p>Reconciles on every change of a backend, status included, so an activation recorded by any
 * operator replica wakes a backend scaled to zero in the reconcile that follows.
 *
 * <p>No finalizer: everything built for a backend carries its owner reference and goes with it
 * through Kubernetes' garbage collector, and a finalizer would block deletion while the operator is
 * down.
 */
@ControllerConfiguration(
    name = ModelBackendReconciler.NAME,
    fieldManager = OwnedObjectApplier.FIELD_MANAGER,
    // An activation changes only the status (lastActivationTime); it must start a reconcile at
    // once, not at the next autoscaling interval. The cost is one more reconcile after each of
    // the operator's own status writes, which finds nothing to change.
    generationAwareEventProcessing = false)
public class ModelBackendReconciler implements Reconciler<ModelBackend> {

  /** The controller's name. */
  public static final String NAME = "modelbackend";

  /** Informers watch only objects carrying this label, so the cache holds our objects only. */
  static final String MANAGED_SELECTOR = ManagedLabels.managedSelector();

  private final ModelBackendReconcilerSettings settings;
  private final VllmAutoscaler autoscaler;
  private final HostedBackendReconciler hosted;
  private final OperatorMetrics metrics;

  public ModelBackendReconciler() {
    this(ModelBackendReconcilerSettings.defaults());
  }

  public ModelBackendReconciler(ModelBackendReconcilerSettings settings) {
    this(settings, OperatorMetrics.none());
  }

  public ModelBackendReconciler(ModelBackendReconcilerSettings settings, OperatorMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
    this.hosted =
        new HostedBackendReconciler(
            new CredentialsCheck(
                new CredentialVerifier(),
                new VerificationSchedule(VerificationSchedule.Settings.DEFAULTS),
                settings.providers(),
                settings.clock(),
                metrics.credentials()),
            settings.clock(),
            metrics.credentials());
    this.autoscaler =
        new VllmAutoscaler(
            settings.clock(),
            new VllmMetricsScraper(settings.scrapeTimeout()),
            settings.metricsUrl(),
            metrics.backends());
  }

  @Override
  public List<EventSource<?, ModelBackend>> prepareEventSources(
      EventSourceContext<ModelBackend> context) {
    return List.of(
        SourceSecrets.forModelBackends(context),
        owned(Deployment.class, context),
        owned(Service.class, context),
        owned(PersistentVolumeClaim.class, context),
        owned(PodDisruptionBudget.class, context),
        // Pods belong to ReplicaSets, not to the ModelBackend; they are found by the backend label.
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, ModelBackend.class)
                .withLabelSelector(VllmBackend.BACKEND_LABEL)
                .withSecondaryToPrimaryMapper(
                    pod ->
                        Set.of(
                            new ResourceID(
                                pod.getMetadata().getLabels().get(VllmBackend.BACKEND_LABEL),
                                pod.getMetadata().getNamespace())))
                .build(),
            context));
  }

  private static <R extends HasMetadata> InformerEventSource<R, ModelBackend> owned(
      Class<R> kind, EventSourceContext<ModelBackend> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(kind, ModelBackend.class)
            .withLabelSelector(MANAGED_SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelBackend.class))
            .build(),
        context);
  }

  @Override
  public UpdateControl<ModelBackend> reconcile(ModelBackend backend, Context<ModelBackend> context)
      throws Exception {
    return metrics.reconciles().time("ModelBackend", backend, () -> dispatch(backend, context));
  }

  private UpdateControl<ModelBackend> dispatch(
      ModelBackend backend, Context<ModelBackend> context) {
    String namespace = backend.getMetadata().getNamespace();
    String name = backend.getMetadata().getName();
    if (backend.getSpec() != null && backend.getSpec().vllm() != null) {
      hosted.forget(backend);
      metrics.credentials().forget(namespace, name);
      return new VllmBackendReconciler(
              settings,
              autoscaler,
              new ResourceEvents(context.getClient(), settings.clock()),
              metrics.backends())
          .reconcile(backend, context);
    }
    autoscaler.forget(backend.getMetadata().getUid());
    metrics.backends().forget(namespace, name);
    return hosted.reconcile(backend, context);
  }

  /**
   * A failed reconciliation (an apply the API server refused) turns Ready False with the reason.
   */
  @Override
  public ErrorStatusUpdateControl<ModelBackend> updateErrorStatus(
      ModelBackend backend, Context<ModelBackend> context, Exception e) {
    return FailureStatus.readyFalse(
        backend,
        context,
        e,
        ModelBackendStatus::new,
        ModelBackendStatusFields::reconcilerOwned,
        settings.clock(),
        new ResourceEvents(context.getClient(), settings.clock()));
  }
}
