package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.api.v1alpha1.ScalingEvent;
import io.aihandler.controllers.autoscaling.ScalingDecision;
import io.aihandler.controllers.autoscaling.VllmAutoscaler;
import io.aihandler.controllers.metrics.BackendMetrics;
import io.aihandler.controllers.owned.OwnedObjectApplier;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.ResourceEvents;
import io.aihandler.controllers.status.StatusPatch;
import io.aihandler.controllers.vllm.ModelCacheClaimBuilder;
import io.aihandler.controllers.vllm.VllmBackend;
import io.aihandler.controllers.vllm.VllmDeploymentBuilder;
import io.aihandler.controllers.vllm.VllmPodDisruptionBudgetBuilder;
import io.aihandler.controllers.vllm.VllmServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconciliation of a self-hosted backend: observe the Deployment and pods, decide the replicas
 * (fixed, or the autoscaler's), apply the built objects that changed, remove the ones no longer
 * wanted, and publish status and events. Writes the Deployment and the status, never the
 * ModelBackend's spec, so GitOps tools see no drift.
 */
final class VllmBackendReconciler {

  private static final Logger LOG = LoggerFactory.getLogger(VllmBackendReconciler.class);

  /** How many autoscaling decisions the status keeps. */
  static final int SCALING_HISTORY_LENGTH = 10;

  private final ModelBackendReconcilerSettings settings;
  private final VllmAutoscaler autoscaler;
  private final ResourceEvents events;
  private final BackendMetrics metrics;

  VllmBackendReconciler(
      ModelBackendReconcilerSettings settings,
      VllmAutoscaler autoscaler,
      ResourceEvents events,
      BackendMetrics metrics) {
    this.settings = settings;
    this.autoscaler = autoscaler;
    this.events = events;
    this.metrics = metrics;
  }

  UpdateControl<ModelBackend> reconcile(ModelBackend resource, Context<ModelBackend> context) {
    ModelBackendStatus previous =
        resource.getStatus() == null ? new ModelBackendStatus() : resource.getStatus();
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(0L);
    Instant now = settings.clock().instant();
    String namespace = resource.getMetadata().getNamespace();

    VllmBackend backend;
    try {
      backend = VllmBackend.of(resource);
    } catch (IllegalArgumentException invalid) {
      List<Conditions.Desired> conditions = VllmWorkloadHealth.invalidSpec(invalid.getMessage());
      StatusPatch.Written<ModelBackendStatus> written =
          StatusPatch.write(
              resource,
              context,
              ModelBackendStatusFields::reconcilerOwned,
              stored -> {
                ModelBackendStatus status = baseStatus(resource, generation);
                status.setConditions(
                    Conditions.merge(
                        stored == null ? List.of() : stored.getConditions(),
                        conditions,
                        generation,
                        now));
                return status;
              });
      recordReadyChange(resource, written);
      metrics.readiness(
          namespace, resource.getMetadata().getName(), written.status().getConditions(), now);
      return UpdateControl.noUpdate();
    }

    Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
    List<Pod> pods =
        context.getSecondaryResources(Pod.class).stream()
            .filter(
                p ->
                    backend
                        .name()
                        .equals(p.getMetadata().getLabels().get(VllmBackend.BACKEND_LABEL)))
            .toList();

    int current =
        deployment != null && deployment.getSpec().getReplicas() != null
            ? deployment.getSpec().getReplicas()
            : -1;
    int replicas;
    ScalingDecision decision = null;
    if (!backend.autoscaled()) {
      autoscaler.forget(resource.getMetadata().getUid());
      replicas = backend.fixedReplicas();
    } else if (current < 0) {
      replicas = backend.minReplicas();
    } else {
      decision = autoscaler.evaluate(backend, current, pods, lastActivation(previous));
      replicas = decision.replicas();
    }

    // Status is read from the Deployment as just applied: our own write triggers no new
    // reconciliation.
    deployment = apply(VllmDeploymentBuilder.build(backend, replicas), deployment, context);
    apply(
        VllmServiceBuilder.build(backend),
        context.getSecondaryResource(Service.class).orElse(null),
        context);
    reconcileOptional(
        ModelCacheClaimBuilder.build(backend),
        context.getSecondaryResource(PersistentVolumeClaim.class).orElse(null),
        context);
    reconcileOptional(
        VllmPodDisruptionBudgetBuilder.build(backend),
        context.getSecondaryResource(PodDisruptionBudget.class).orElse(null),
        context);

    ScalingEvent scaled = null;
    if (decision != null && current >= 0 && decision.replicas() != current) {
      scaled =
          new ScalingEvent(
              now.truncatedTo(ChronoUnit.SECONDS).toString(),
              current,
              decision.replicas(),
              decision.reason());
      events.normal(
          resource,
          decision.replicas() == 0 ? "ScaledToZero" : current == 0 ? "ScaledFromZero" : "Scaled",
          "Scaled from "
              + current
              + " to "
              + decision.replicas()
              + " replicas: "
              + decision.reason());
    }
    boolean scalesToZero = backend.autoscaled() && backend.minReplicas() == 0;
    Observation observation =
        new Observation(
            resource,
            backend,
            generation,
            now,
            deployment == null || deployment.getStatus() == null
                ? 0
                : orZero(deployment.getStatus().getReplicas()),
            replicas,
            VllmWorkloadHealth.assess(
                deployment, pods, replicas, backend.gpuResourceName(), scalesToZero),
            scalesToZero,
            scaled);
    StatusPatch.Written<ModelBackendStatus> written =
        StatusPatch.write(
            resource, context, ModelBackendStatusFields::reconcilerOwned, observation::status);

    recordReadyChange(resource, written);
    metrics.desiredReplicas(namespace, backend.name(), replicas);
    metrics.readiness(namespace, backend.name(), written.status().getConditions(), now);
    GpuUsageAccounting.Accounted gpu = observation.gpu(orEmpty(written.stored()));
    metrics.gpuHours(
        namespace, backend.name(), gpu.usedHours(), gpu.savedHours(), observation.gpuHourly());

    UpdateControl<ModelBackend> control = UpdateControl.noUpdate();
    return backend.autoscaled() ? control.rescheduleAfter(settings.autoscaleInterval()) : control;
  }

  /**
   * What one reconciliation observed and decided, and the status that says it, built on whichever
   * stored status the write ends up building on (see {@link StatusPatch#write}).
   *
   * @param observedReplicas the pods the Deployment reports
   * @param replicas the replicas wanted from now on
   * @param scaled the decision that changed the replicas now, or null
   */
  private record Observation(
      ModelBackend resource,
      VllmBackend backend,
      long generation,
      Instant now,
      int observedReplicas,
      int replicas,
      VllmWorkloadHealth health,
      boolean scalesToZero,
      ScalingEvent scaled) {

    ModelBackendStatus status(ModelBackendStatus stored) {
      ModelBackendStatus previous = orEmpty(stored);
      ModelBackendStatus status = baseStatus(resource, generation);
      status.setEndpoint(backend.endpoint());
      status.setSelector(backend.selectorText());
      status.setReplicas(observedReplicas);
      status.setReadyReplicas(health.readyReplicas());
      status.setDesiredReplicas(replicas);
      status.setScalingHistory(history(previous.getScalingHistory()));
      status.setGpuUsage(gpu(previous).usage());
      status.setConditions(
          Conditions.merge(previous.getConditions(), health.conditions(), generation, now));
      return status;
    }

    /** The stored history with this reconciliation's decision, the last few only. */
    private List<ScalingEvent> history(List<ScalingEvent> stored) {
      if (scaled == null) {
        return stored;
      }
      List<ScalingEvent> history = new ArrayList<>(stored == null ? List.of() : stored);
      history.add(scaled);
      return List.copyOf(
          history.subList(Math.max(0, history.size() - SCALING_HISTORY_LENGTH), history.size()));
    }

    /** The GPU-hours since the stored accounting. */
    GpuUsageAccounting.Accounted gpu(ModelBackendStatus previous) {
      return GpuUsageAccounting.account(
          previous.getGpuUsage(),
          previous.getReplicas() == null || previous.getDesiredReplicas() == null
              ? null
              : new GpuUsageAccounting.InForce(
                  previous.getReplicas(), previous.getDesiredReplicas()),
          new GpuUsageAccounting.InForce(observedReplicas, replicas),
          scalesToZero,
          backend.gpus(),
          gpuHourly(),
          now);
    }

    Double gpuHourly() {
      return resource.getSpec().pricing() == null ? null : resource.getSpec().pricing().gpuHourly();
    }
  }

  /** The latest activation in the status, or null. */
  static Instant lastActivation(ModelBackendStatus status) {
    String text = status.getLastActivationTime();
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static ModelBackendStatus baseStatus(ModelBackend resource, long generation) {
    ModelBackendStatus status = new ModelBackendStatus();
    status.setType("vllm");
    status.setModel(resource.getSpec().vllm().model());
    status.setObservedGeneration(generation);
    return status;
  }

  private static <R extends HasMetadata> R apply(
      R desired, R existing, Context<ModelBackend> context) {
    OwnedObjectApplier.Applied<R> applied = OwnedObjectApplier.apply(desired, existing, context);
    if (applied.outcome() == OwnedObjectApplier.Outcome.RESTORED) {
      LOG.warn(
          "RESTORED {} {}/{}: it was changed by hand; the operator owns it",
          desired.getKind(),
          desired.getMetadata().getNamespace(),
          desired.getMetadata().getName());
    } else if (applied.outcome() != OwnedObjectApplier.Outcome.UNCHANGED) {
      LOG.info(
          "{} {} {}/{}",
          applied.outcome(),
          desired.getKind(),
          desired.getMetadata().getNamespace(),
          desired.getMetadata().getName());
    }
    return applied.object();
  }

  private static <R extends HasMetadata> void reconcileOptional(
      Optional<R> desired, R existing, Context<ModelBackend> context) {
    if (desired.isPresent()) {
      apply(desired.get(), existing, context);
    } else if (existing != null) {
      LOG.info(
          "DELETED {} {}/{}",
          existing.getKind(),
          existing.getMetadata().getNamespace(),
          existing.getMetadata().getName());
      OwnedObjectApplier.delete(existing, context.getClient());
    }
  }

  /**
   * An event whenever Ready changes status or reason, from the status the write built on to the one
   * it left; a rollout and a model loading are not warnings.
   */
  private void recordReadyChange(
      ModelBackend resource, StatusPatch.Written<ModelBackendStatus> written) {
    events.readyChanged(
        resource,
        orEmpty(written.stored()).getConditions(),
        written.status().getConditions(),
        Set.of(VllmWorkloadHealth.REASON_PROGRESSING, VllmWorkloadHealth.REASON_MODEL_LOADING));
  }

  private static ModelBackendStatus orEmpty(ModelBackendStatus status) {
    return status == null ? new ModelBackendStatus() : status;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
