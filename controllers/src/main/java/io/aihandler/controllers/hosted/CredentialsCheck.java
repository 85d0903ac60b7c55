package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.hosted.VerificationResult.Outcome;
import io.aihandler.controllers.metrics.CredentialMetrics;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.Conditions.Desired;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hosted ModelBackend's credentials as two conditions: whether the key can be read ({@code
 * CredentialsResolved}) and, when {@code verify} is on, whether the provider accepts it ({@code
 * CredentialsValid}), checked on the {@link VerificationSchedule} so reconciles do not call the
 * provider. No Kubernetes client: the caller hands over the Secret from its cache. One instance
 * serves all backends and is safe to call from concurrent reconciles.
 */
public final class CredentialsCheck {

  private static final Logger LOG = LoggerFactory.getLogger(CredentialsCheck.class);

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
  private final CredentialMetrics metrics;

  public CredentialsCheck(
      CredentialVerifier verifier,
      VerificationSchedule schedule,
      ProviderEndpoints endpoints,
      Clock clock) {
    this(verifier, schedule, endpoints, clock, OperatorMetrics.none().credentials());
  }

  /**
   * @param metrics counts every call to the provider by verdict
   */
  public CredentialsCheck(
      CredentialVerifier verifier,
      VerificationSchedule schedule,
      ProviderEndpoints endpoints,
      Clock clock,
      CredentialMetrics metrics) {
    this.verifier = verifier;
    this.schedule = schedule;
    this.endpoints = endpoints;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * The outcome of one look at a backend's credentials.
   *
   * @param resolved the CredentialsResolved condition
   * @param valid the CredentialsValid condition
   * @param recheckAfter when to reconcile again for the next scheduled check, if one is due
   * @param usable false when the key is missing or the provider refused it: the backend must not be
   *     reported Ready
   */
  public record Report(
      Desired resolved, Desired valid, Optional<Duration> recheckAfter, boolean usable) {

    /** Both conditions, in the order they appear in the status. */
    public List<Desired> conditions() {
      return List.of(resolved, valid);
    }
  }

  /** The providers' base URLs this check calls. */
  public ProviderEndpoints endpoints() {
    return endpoints;
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
    String namespace = backend.getMetadata().getNamespace();
    CredentialResolution resolution = CredentialResolver.resolve(namespace, hosted, secret);

    ApiKey key;
    Desired resolved;
    switch (resolution) {
      case CredentialResolution.Unresolved unresolved -> {
        LOG.debug("ModelBackend {}: credentials unresolved ({})", id(backend), unresolved.reason());
        forget(backend);
        Desired notChecked =
            new Desired(
                Conditions.CREDENTIALS_VALID,
                "Unknown",
                NOT_CHECKED,
                "the key cannot be checked until it is resolved");
        return new Report(
            new Desired(
                Conditions.CREDENTIALS_RESOLVED,
                "False",
                unresolved.reason(),
                unresolved.message()),
            notChecked,
            Optional.empty(),
            false);
      }
      case CredentialResolution.NotRequired notRequired -> {
        key = null;
        resolved =
            new Desired(
                Conditions.CREDENTIALS_RESOLVED,
                "True",
                CredentialResolution.NOT_REQUIRED,
                "the backend declares no credentials; requests are sent without a key");
      }
      case CredentialResolution.Resolved found -> {
        key = found.key();
        resolved =
            new Desired(
                Conditions.CREDENTIALS_RESOLVED,
                "True",
                CredentialResolution.RESOLVED,
                "key "
                    + found.secretRef().key()
                    + " of Secret "
                    + namespace
                    + "/"
                    + found.secretRef().name());
      }
    }

    if (Boolean.FALSE.equals(hosted.verify())) {
      forget(backend);
      return new Report(
          resolved,
          new Desired(
              Conditions.CREDENTIALS_VALID,
              "Unknown",
              VERIFICATION_DISABLED,
              "spec.hosted.verify is false: the key is not checked with the provider"),
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
              new Desired(
                  Conditions.CREDENTIALS_VALID,
                  "Unknown",
                  CHECK_PENDING,
                  "the key or endpoint changed; it is checked at "
                      + deferred.nextCheck().truncatedTo(ChronoUnit.SECONDS)
                      + ", keeping calls to the provider a minimum interval apart"),
              Optional.of(until(now, deferred.nextCheck())),
              true);
      case VerificationSchedule.UseLast last ->
          report(resolved, last.result(), last.checkedAt(), last.nextCheck(), now);
      case VerificationSchedule.CheckNow checkNow -> {
        Optional<VerificationResult> previous = schedule.last(id);
        VerificationResult result = verifier.verify(probe);
        Instant next = schedule.record(id, subject, result, now);
        metrics.checked(namespace, backend.getMetadata().getName(), result.outcome());
        if (previous.map(p -> p.outcome() != result.outcome()).orElse(true)) {
          LOG.info(
              "ModelBackend {}: key check {} ({})", id, result.outcome().reason(), result.detail());
        } else {
          LOG.debug(
              "ModelBackend {}: key check {} ({})", id, result.outcome().reason(), result.detail());
        }
        yield report(resolved, result, now, next, now);
      }
    };
  }

  /** Forgets the schedule of a deleted backend. */
  public void forget(ModelBackend backend) {
    schedule.forget(id(backend));
  }

  private static Report report(
      Desired resolved, VerificationResult result, Instant checkedAt, Instant next, Instant now) {
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
        new Desired(Conditions.CREDENTIALS_VALID, status, result.outcome().reason(), message),
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
