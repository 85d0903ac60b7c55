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

    VllmBackend backend;
    try {
      backend = VllmBackend.of(resource);
    } catch (IllegalArgumentException invalid) {
      ModelBackendStatus status = baseStatus(resource, previous, generation);
      status.setConditions(
          Conditions.merge(
              previous.getConditions(),
              VllmWorkloadHealth.invalidSpec(invalid.getMessage()),
              generation,
              now));
      recordReadyChange(resource, previous, status);
      metrics.readiness(
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          status.getConditions(),
          now);
      return StatusPatch.ifChanged(resource, status);
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

    boolean scalesToZero = backend.autoscaled() && backend.minReplicas() == 0;
    VllmWorkloadHealth health =
        VllmWorkloadHealth.assess(
            deployment, pods, replicas, backend.gpuResourceName(), scalesToZero);
    ModelBackendStatus status = baseStatus(resource, previous, generation);
    status.setEndpoint(backend.endpoint());
    status.setSelector(backend.selectorText());
    status.setReplicas(
        deployment == null || deployment.getStatus() == null
            ? 0
            : orZero(deployment.getStatus().getReplicas()));
    status.setReadyReplicas(health.readyReplicas());
    status.setDesiredReplicas(replicas);
    status.setScalingHistory(previous.getScalingHistory());
    if (decision != null && current >= 0 && decision.replicas() != current) {
      List<ScalingEvent> history =
          new ArrayList<>(
              previous.getScalingHistory() == null ? List.of() : previous.getScalingHistory());
      history.add(
          new ScalingEvent(
              now.truncatedTo(ChronoUnit.SECONDS).toString(),
              current,
              decision.replicas(),
              decision.reason()));
      status.setScalingHistory(
          List.copyOf(
              history.subList(
                  Math.max(0, history.size() - SCALING_HISTORY_LENGTH), history.size())));
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
    // Written by the activation endpoint under its own field manager; carried here only so an
    // unchanged status is recognised, and left out of the patch (see patchWithoutActivation).
    status.setLastActivationTime(previous.getLastActivationTime());
    GpuUsageAccounting.Accounted gpu =
        GpuUsageAccounting.account(
            previous.getGpuUsage(),
            previous.getReplicas() == null || previous.getDesiredReplicas() == null
                ? null
                : new GpuUsageAccounting.InForce(
                    previous.getReplicas(), previous.getDesiredReplicas()),
            new GpuUsageAccounting.InForce(status.getReplicas(), replicas),
            scalesToZero,
            backend.gpus(),
            resource.getSpec().pricing() == null ? null : resource.getSpec().pricing().gpuHourly(),
            now);
    status.setGpuUsage(gpu.usage());
    status.setConditions(
        Conditions.merge(previous.getConditions(), health.conditions(), generation, now));
    recordReadyChange(resource, previous, status);
    String namespace = resource.getMetadata().getNamespace();
    metrics.desiredReplicas(namespace, backend.name(), replicas);
    metrics.readiness(namespace, backend.name(), status.getConditions(), now);
    metrics.gpuHours(
        namespace,
        backend.name(),
        gpu.usedHours(),
        gpu.savedHours(),
        resource.getSpec().pricing() == null ? null : resource.getSpec().pricing().gpuHourly());

    UpdateControl<ModelBackend> control = patchWithoutActivation(resource, status);
    return backend.autoscaled() ? control.rescheduleAfter(settings.autoscaleInterval()) : control;
  }

  /**
   * The status patch, if the status changed, without {@code lastActivationTime}: that field belongs
   * to the activation endpoint (served by every replica), and a full-status apply that carried a
   * value read a moment ago could overwrite a newer activation.
   */
  private static UpdateControl<ModelBackend> patchWithoutActivation(
      ModelBackend resource, ModelBackendStatus status) {
    UpdateControl<ModelBackend> control = StatusPatch.ifChanged(resource, status);
    control.getResource().ifPresent(patch -> patch.getStatus().setLastActivationTime(null));
    return control;
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

  private static ModelBackendStatus baseStatus(
      ModelBackend resource, ModelBackendStatus previous, long generation) {
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
   * An event whenever Ready changes status or reason; a rollout and a model loading are not
   * warnings.
   */
  private void recordReadyChange(
      ModelBackend resource, ModelBackendStatus previous, ModelBackendStatus status) {
    events.readyChanged(
        resource,
        previous.getConditions(),
        status.getConditions(),
        Set.of(VllmWorkloadHealth.REASON_PROGRESSING, VllmWorkloadHealth.REASON_MODEL_LOADING));
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
