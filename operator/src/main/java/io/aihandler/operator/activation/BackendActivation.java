package io.aihandler.operator.activation;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.vllm.VllmBackend;
import io.aihandler.router.config.CapacityState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Records an activation where the leader's autoscaler reads it: {@code status.lastActivationTime}
 * of the ModelBackend, written with a JSON merge patch of that field alone (the leader's status
 * apply leaves it out, so neither overwrites the other). Any replica may record; the leader sees
 * the change through its informer and scales from zero in the reconcile that follows, so webhook
 * replicas stay stateless and a change of leader loses nothing. Idempotent: an activation recorded
 * less than {@link #COALESCE} ago is not written again.
 */
final class BackendActivation {

  /** Activations closer together than this are one. */
  static final Duration COALESCE = Duration.ofSeconds(5);

  /** What an activation found and did. */
  enum Outcome {
    /** The backend has a ready replica: nothing to do. */
    ALREADY_READY,
    /** Recorded (or one was just recorded): a scale-up started or is under way. */
    ACCEPTED,
    /** No such ModelBackend, or not a vLLM one. */
    NOT_FOUND,
    /** A vLLM backend fixed at zero replicas: only its spec can bring it up. */
    NOT_SCALABLE
  }

  /** The outcome with the backend's capacity state and words for the caller. */
  record Answer(Outcome outcome, CapacityState state, String message) {}

  private final KubernetesClient client;
  private final Clock clock;

  BackendActivation(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  Answer activate(ActivationRequest request) {
    ModelBackend backend =
        client
            .resources(ModelBackend.class)
            .inNamespace(request.namespace())
            .withName(request.name())
            .get();
    if (backend == null || backend.getSpec() == null || backend.getSpec().vllm() == null) {
      return new Answer(Outcome.NOT_FOUND, null, "no vLLM ModelBackend " + request.key());
    }
    ModelBackendStatus status =
        backend.getStatus() == null ? new ModelBackendStatus() : backend.getStatus();
    if (status.getReadyReplicas() != null && status.getReadyReplicas() > 0) {
      return new Answer(
          Outcome.ALREADY_READY,
          CapacityState.READY,
          status.getReadyReplicas() + " replicas are ready");
    }
    VllmBackend vllm;
    try {
      vllm = VllmBackend.of(backend);
    } catch (IllegalArgumentException invalid) {
      return new Answer(
          Outcome.NOT_SCALABLE, CapacityState.STARTING, "the backend's spec is invalid");
    }
    boolean atZero = status.getDesiredReplicas() != null && status.getDesiredReplicas() == 0;
    if (!vllm.autoscaled()) {
      return vllm.fixedReplicas() == 0
          ? new Answer(
              Outcome.NOT_SCALABLE,
              CapacityState.SCALED_TO_ZERO,
              "spec.vllm.replicas is 0; only the spec can bring it up")
          : new Answer(Outcome.ACCEPTED, CapacityState.STARTING, "replicas are starting");
    }
    Instant now = clock.instant();
    Instant last = parse(status.getLastActivationTime());
    boolean record = last == null || !last.plus(COALESCE).isAfter(now);
    if (record) {
      client
          .resources(ModelBackend.class)
          .inNamespace(request.namespace())
          .withName(request.name())
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"status\":{\"lastActivationTime\":\""
                  + now.truncatedTo(ChronoUnit.MILLIS)
                  + "\"}}");
    }
    String recorded = record ? "activation recorded" : "an activation was just recorded";
    return atZero
        ? new Answer(
            Outcome.ACCEPTED,
            CapacityState.SCALED_TO_ZERO,
            recorded + "; the operator scales it from zero now")
        : new Answer(
            Outcome.ACCEPTED, CapacityState.STARTING, recorded + "; replicas are starting");
  }

  private static Instant parse(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
