package io.aihandler.controllers.metrics;

import io.aihandler.controllers.hosted.VerificationResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * {@code aihandler_operator_credential_checks_total{namespace, backend, result}}: every call to a
 * provider that checks a hosted backend's key, by verdict; and {@code
 * aihandler_operator_credentials_valid{namespace, backend}}: 1 while the backend's key is usable, 0
 * while it cannot be read or the provider refused it (the state an alert fires on).
 */
public final class CredentialMetrics {

  static final String CHECKS = "aihandler.operator.credential.checks";
  static final String VALID = "aihandler.operator.credentials.valid";

  private final MeterRegistry registry;
  private final BackendGauge valid;

  CredentialMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.valid =
        new BackendGauge(
            registry,
            VALID,
            "1 while a hosted backend's key is usable, 0 while it is missing or refused");
  }

  /** The {@code result} label of a verdict: its enum name in snake case. */
  public static String result(VerificationResult.Outcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT);
  }

  /** Counts one check of the key with the provider. */
  public void checked(String namespace, String backend, VerificationResult.Outcome outcome) {
    Counter.builder(CHECKS)
        .description("Checks of hosted backends' keys with their provider, by verdict")
        .tag("namespace", namespace)
        .tag("backend", backend)
        .tag("result", result(outcome))
        .register(registry)
        .increment();
  }

  /** Sets whether the backend's key is usable now. */
  public void usable(String namespace, String backend, boolean usable) {
    valid.set(namespace, backend, usable ? 1 : 0);
  }

  /** Removes the series of a backend that is gone or changed kind. */
  public void forget(String namespace, String backend) {
    valid.forget(namespace, backend);
    BackendGauge.removeAll(registry, CHECKS, namespace, backend);
  }
}
