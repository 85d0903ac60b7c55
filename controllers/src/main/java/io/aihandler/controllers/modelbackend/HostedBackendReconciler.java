package io.aihandler.controllers.modelbackend;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.hosted.CredentialsCheck;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.aihandler.controllers.metrics.CredentialMetrics;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.Conditions.Desired;
import io.aihandler.controllers.status.ResourceEvents;
import io.aihandler.controllers.status.StatusPatch;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One reconciliation of a hosted ModelBackend: nothing runs in the cluster, so it reads the key
 * from the cached source Secret, has {@link CredentialsCheck} judge it, writes {@code
 * status.type/model/endpoint}, {@code CredentialsResolved}, {@code CredentialsValid} and {@code
 * Ready} (when they changed), records an Event when the verdict changes, and schedules the next
 * check.
 */
final class HostedBackendReconciler {

  private final CredentialsCheck check;
  private final Clock clock;
  private final CredentialMetrics metrics;

  HostedBackendReconciler(CredentialsCheck check, Clock clock, CredentialMetrics metrics) {
    this.check = check;
    this.clock = clock;
    this.metrics = metrics;
  }

  @SuppressWarnings("unchecked")
  UpdateControl<ModelBackend> reconcile(ModelBackend backend, Context<ModelBackend> context) {
    var sources =
        (InformerEventSource<Secret, ModelBackend>)
            context
                .eventSourceRetriever()
                .getEventSourceFor(Secret.class, SourceSecrets.MODEL_BACKEND_EVENT_SOURCE);
    CredentialsCheck.Report report = check.check(backend, SourceSecrets.lookup(sources, backend));
    metrics.usable(
        backend.getMetadata().getNamespace(), backend.getMetadata().getName(), report.usable());

    HostedSpec hosted = backend.getSpec().hosted();
    long generation = Optional.ofNullable(backend.getMetadata().getGeneration()).orElse(0L);
    List<Desired> conditions = new ArrayList<>(report.conditions());
    conditions.add(ready(report));
    String endpoint = check.endpoints().baseUrl(hosted);
    Instant now = clock.instant();

    StatusPatch.Written<ModelBackendStatus> written =
        StatusPatch.write(
            backend,
            context,
            ModelBackendStatusFields::reconcilerOwned,
            stored -> {
              ModelBackendStatus status = new ModelBackendStatus();
              status.setType("hosted");
              status.setModel(hosted.model());
              status.setEndpoint(endpoint);
              status.setObservedGeneration(generation);
              status.setConditions(
                  Conditions.merge(conditionsOf(stored), conditions, generation, now));
              return status;
            });
    recordVerdict(
        backend,
        conditionsOf(written.stored()),
        report.valid(),
        new ResourceEvents(context.getClient(), clock));

    UpdateControl<ModelBackend> control = UpdateControl.noUpdate();
    report
        .recheckAfter()
        .ifPresent(wait -> control.rescheduleAfter(wait.isZero() ? Duration.ofSeconds(1) : wait));
    return control;
  }

  private static List<Condition> conditionsOf(ModelBackendStatus status) {
    return status == null ? List.of() : status.getConditions();
  }

  /** Forgets the verification schedule of a backend that is no longer hosted. */
  void forget(ModelBackend backend) {
    check.forget(backend);
  }

  private static Desired ready(CredentialsCheck.Report report) {
    if (report.usable()) {
      return new Desired(
          Conditions.READY, true, "CredentialsUsable", "the provider's API can be used");
    }
    Desired cause = report.resolved().isFalse() ? report.resolved() : report.valid();
    return new Desired(Conditions.READY, false, cause.reason(), cause.message());
  }

  /** An Event when the provider's verdict on the key changes. */
  private static void recordVerdict(
      ModelBackend backend, List<Condition> previous, Desired valid, ResourceEvents events) {
    Condition before = Conditions.find(previous, Conditions.CREDENTIALS_VALID);
    if (before != null && Objects.equals(before.getReason(), valid.reason())) {
      return;
    }
    if (valid.isFalse()) {
      events.warning(backend, "Credentials" + valid.reason(), valid.message());
    } else if (valid.isTrue()) {
      events.normal(backend, "CredentialsValid", valid.message());
    }
  }
}
