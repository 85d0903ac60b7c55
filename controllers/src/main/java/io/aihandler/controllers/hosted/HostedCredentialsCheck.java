package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.controllers.modelbackend.BackendEvents;
import io.aihandler.controllers.hosted.VerificationResult.Outcome;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credential half of reconciling a hosted ModelBackend: reads the key ({@code
 * CredentialsResolved}), and, when {@code verify} is on, checks it with the provider on the {@link
 * VerificationSchedule} ({@code CredentialsValid}). One instance serves all backends and is safe
 * to call from concurrent reconciles.
 *
 * <p>The ModelBackend reconciler returns {@link #reconcile(ModelBackend, Context)} from its hosted
 * branch, and its {@code prepareEventSources} adds {@link SourceSecrets#forModelBackends}, so a
 * changed Secret is checked at once.
 */
public final class HostedCredentialsCheck {

  private static final Logger LOG = LoggerFactory.getLogger(HostedCredentialsCheck.class);

  /** The top-level condition of every status in this API. */
  public static final String READY = "Ready";

  /** Reason of CredentialsValid when {@code verify} is off. */
  public static final String VERIFICATION_DISABLED = "VerificationDisabled";

  /** Reason of CredentialsValid when the key cannot be read, so there is nothing to check. */
  public static final String NOT_CHECKED = "NotChecked";

  /** Reason of CredentialsValid while a changed key waits for the minimum interval. */
  public static final String CHECK_PENDING = "CheckPending";

  private final CredentialVerifier verifier;
  private final VerificationSchedule schedule;
  private final ProviderEndpoints endpoints;
  private final Clock clock;

  /** Production wiring: the providers' public endpoints, default timeout and schedule. */
  public HostedCredentialsCheck() {
    this(
        new CredentialVerifier(),
        new VerificationSchedule(VerificationSchedule.Settings.DEFAULTS),
        ProviderEndpoints.PUBLIC,
        Clock.systemUTC());
  }

  public HostedCredentialsCheck(
      CredentialVerifier verifier,
      VerificationSchedule schedule,
      ProviderEndpoints endpoints,
      Clock clock) {
    this.verifier = verifier;
    this.schedule = schedule;
    this.endpoints = endpoints;
    this.clock = clock;
  }

  /**
   * The outcome of one look at a backend's credentials.
   *
   * @param resolved the CredentialsResolved condition
   * @param valid the CredentialsValid condition
   * @param recheckAfter when to reconcile again for the next scheduled check, if one is due
   * @param usable false when the key is missing or the provider refused it: the backend must not
   *     be reported Ready
   */
  public record Report(
      Condition resolved, Condition valid, Optional<Duration> recheckAfter, boolean usable) {

    /** Both conditions, for merging into the status with {@link HostedConditions#upsert}. */
    public List<Condition> conditions() {
      return List.of(resolved, valid);
    }

    /** {@code conditions} with both of this report's conditions merged in. */
    public List<Condition> mergeInto(List<Condition> conditions) {
      return HostedConditions.upsert(HostedConditions.upsert(conditions, resolved), valid);
    }
  }

  /**
   * The whole hosted branch of the ModelBackend reconciler: checks the credentials, writes {@code
   * status.type/model/endpoint}, the two credential conditions and {@code Ready} (when they
   * changed), records an Event when the verdict changes, and schedules the next check.
   */
  public UpdateControl<ModelBackend> reconcile(ModelBackend backend, Context<ModelBackend> context) {
    Report report = check(backend, context);
    HostedSpec hosted = backend.getSpec().hosted();
    ModelBackendStatus current = backend.getStatus();
    List<Condition> previous = current == null ? List.of() : current.getConditions();
    List<Condition> conditions = report.mergeInto(previous);
    Condition valid = report.valid();
    Condition ready =
        report.usable()
            ? HostedConditions.of(
                READY, "True", "CredentialsUsable", "the provider's API can be used", backend.getMetadata().getGeneration(), clock.instant())
            : HostedConditions.of(
                READY,
                "False",
                "False".equals(report.resolved().getStatus()) ? report.resolved().getReason() : valid.getReason(),
                "False".equals(report.resolved().getStatus()) ? report.resolved().getMessage() : valid.getMessage(),
                backend.getMetadata().getGeneration(),
                clock.instant());
    conditions = HostedConditions.upsert(conditions, ready);
    recordTransition(backend, previous, valid, context);

    ModelBackendStatus status = new ModelBackendStatus();
    status.setType("hosted");
    status.setModel(hosted.model());
    status.setEndpoint(endpoints.baseUrl(hosted));
    status.setObservedGeneration(backend.getMetadata().getGeneration());
    status.setConditions(conditions);
    UpdateControl<ModelBackend> control;
    if (current != null && sameStatus(current, status)) {
      control = UpdateControl.noUpdate();
    } else {
      ModelBackend patch = new ModelBackend();
      patch.setMetadata(
          new ObjectMetaBuilder()
              .withName(backend.getMetadata().getName())
              .withNamespace(backend.getMetadata().getNamespace())
              .build());
      patch.setStatus(status);
      control = UpdateControl.patchStatus(patch);
    }
    report.recheckAfter().ifPresent(wait -> control.rescheduleAfter(wait.isZero() ? Duration.ofSeconds(1) : wait));
    return control;
  }

  private void recordTransition(
      ModelBackend backend, List<Condition> previous, Condition valid, Context<ModelBackend> context) {
    Optional<Condition> before = HostedConditions.find(previous, HostedConditions.CREDENTIALS_VALID);
    if (before.isPresent() && Objects.equals(before.get().getReason(), valid.getReason())) {
      return;
    }
    BackendEvents events = new BackendEvents(context.getClient(), clock);
    if ("False".equals(valid.getStatus())) {
      events.warning(backend, "Credentials" + valid.getReason(), valid.getMessage());
    } else if ("True".equals(valid.getStatus())) {
      events.normal(backend, "CredentialsValid", valid.getMessage());
    }
  }

  private static boolean sameStatus(ModelBackendStatus current, ModelBackendStatus wanted) {
    if (!Objects.equals(current.getType(), wanted.getType())
        || !Objects.equals(current.getModel(), wanted.getModel())
        || !Objects.equals(current.getEndpoint(), wanted.getEndpoint())
        || !Objects.equals(current.getObservedGeneration(), wanted.getObservedGeneration())
        || current.getConditions().size() != wanted.getConditions().size()) {
      return false;
    }
    for (Condition condition : wanted.getConditions()) {
      Optional<Condition> existing = HostedConditions.find(current.getConditions(), condition.getType());
      if (existing.isEmpty() || !HostedConditions.sameState(existing.get(), condition)) {
        return false;
      }
    }
    return true;
  }

  /** Checks a backend, reading its Secret from the {@link SourceSecrets} event source. */
  @SuppressWarnings("unchecked")
  public Report check(ModelBackend backend, Context<ModelBackend> context) {
    InformerEventSource<Secret, ModelBackend> sources =
        (InformerEventSource<Secret, ModelBackend>)
            context
                .eventSourceRetriever()
                .getEventSourceFor(Secret.class, SourceSecrets.MODEL_BACKEND_EVENT_SOURCE);
    return check(backend, SourceSecrets.lookup(sources, backend));
  }

  /**
   * Checks a hosted backend whose source Secret is {@code secret} (empty when the operator's cache
   * has none of that name).
   */
  public Report check(ModelBackend backend, Optional<Secret> secret) {
    HostedSpec hosted = backend.getSpec().hosted();
    if (hosted == null) {
      throw new IllegalArgumentException("not a hosted backend: " + id(backend));
    }
    Instant now = clock.instant();
    Long generation = backend.getMetadata().getGeneration();
    String namespace = backend.getMetadata().getNamespace();
    CredentialResolution resolution = CredentialResolver.resolve(namespace, hosted, secret);

    ApiKey key;
    Condition resolved;
    switch (resolution) {
      case CredentialResolution.Unresolved unresolved -> {
        LOG.debug("ModelBackend {}: credentials unresolved ({})", id(backend), unresolved.reason());
        forget(backend);
        Condition notChecked =
            HostedConditions.of(
                HostedConditions.CREDENTIALS_VALID,
                "Unknown",
                NOT_CHECKED,
                "the key cannot be checked until it is resolved",
                generation,
                now);
        return new Report(
            HostedConditions.of(
                HostedConditions.CREDENTIALS_RESOLVED,
                "False",
                unresolved.reason(),
                unresolved.message(),
                generation,
                now),
            notChecked,
            Optional.empty(),
            false);
      }
      case CredentialResolution.NotRequired notRequired -> {
        key = null;
        resolved =
            HostedConditions.of(
                HostedConditions.CREDENTIALS_RESOLVED,
                "True",
                CredentialResolution.NOT_REQUIRED,
                "the backend declares no credentials; requests are sent without a key",
                generation,
                now);
      }
      case CredentialResolution.Resolved found -> {
        key = found.key();
        resolved =
            HostedConditions.of(
                HostedConditions.CREDENTIALS_RESOLVED,
                "True",
                CredentialResolution.RESOLVED,
                "key "
                    + found.secretRef().key()
                    + " of Secret "
                    + namespace
                    + "/"
                    + found.secretRef().name(),
                generation,
                now);
      }
    }

    if (Boolean.FALSE.equals(hosted.verify())) {
      forget(backend);
      return new Report(
          resolved,
          HostedConditions.of(
              HostedConditions.CREDENTIALS_VALID,
              "Unknown",
              VERIFICATION_DISABLED,
              "spec.hosted.verify is false: the key is not checked with the provider",
              generation,
              now),
          Optional.empty(),
          true);
    }

    ProviderProbe probe = ProviderProbe.of(hosted, key, endpoints);
    String subject = VerificationSchedule.subject(key, probe);
    String id = id(backend);
    VerificationSchedule.Decision decision = schedule.decide(id, subject, now);
    return switch (decision) {
      case VerificationSchedule.Deferred deferred ->
          new Report(
              resolved,
              HostedConditions.of(
                  HostedConditions.CREDENTIALS_VALID,
                  "Unknown",
                  CHECK_PENDING,
                  "the key or endpoint changed; it is checked at "
                      + deferred.nextCheck().truncatedTo(ChronoUnit.SECONDS)
                      + ", keeping calls to the provider a minimum interval apart",
                  generation,
                  now),
              Optional.of(until(now, deferred.nextCheck())),
              true);
      case VerificationSchedule.UseLast last ->
          report(resolved, last.result(), last.checkedAt(), last.nextCheck(), generation, now);
      case VerificationSchedule.CheckNow checkNow -> {
        Optional<VerificationResult> previous = schedule.last(id);
        VerificationResult result = verifier.verify(probe);
        Instant next = schedule.record(id, subject, result, now);
        if (previous.map(p -> p.outcome() != result.outcome()).orElse(true)) {
          LOG.info("ModelBackend {}: key check {} ({})", id, result.outcome().reason(), result.detail());
        } else {
          LOG.debug("ModelBackend {}: key check {} ({})", id, result.outcome().reason(), result.detail());
        }
        yield report(resolved, result, now, next, generation, now);
      }
    };
  }

  /** Forgets the schedule of a deleted backend. */
  public void forget(ModelBackend backend) {
    schedule.forget(id(backend));
  }

  private static Report report(
      Condition resolved,
      VerificationResult result,
      Instant checkedAt,
      Instant next,
      Long generation,
      Instant now) {
    String status =
        switch (result.outcome()) {
          case VALID -> "True";
          case INVALID, UNEXPECTED_RESPONSE -> "False";
          case UNREACHABLE, RATE_LIMITED -> "Unknown";
        };
    String message =
        result.detail()
            + "; checked at "
            + checkedAt.truncatedTo(ChronoUnit.SECONDS)
            + ", next check at "
            + next.truncatedTo(ChronoUnit.SECONDS);
    boolean usable =
        result.outcome() != Outcome.INVALID && result.outcome() != Outcome.UNEXPECTED_RESPONSE;
    return new Report(
        resolved,
        HostedConditions.of(
            HostedConditions.CREDENTIALS_VALID,
            status,
            result.outcome().reason(),
            message,
            generation,
            now),
        Optional.of(until(now, next)),
        usable);
  }

  private static Duration until(Instant now, Instant next) {
    Duration wait = Duration.between(now, next);
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  private static String id(ModelBackend backend) {
    return backend.getMetadata().getNamespace() + "/" + backend.getMetadata().getName();
  }
}
