package io.aihandler.controllers.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.testing.HostedFixtures;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CredentialsResolved and CredentialsValid for one backend, and how often the provider is called.
 */
class CredentialsCheckTest {

  private static final String KEY = "sk-check-0a9b8c7d6e5f";
  private static final String OPENAI_MODELS =
      "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1715367049,\"owned_by\":\"system\"}]}";

  private final MockWebServer server = new MockWebServer();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-03-01T10:00:00Z"));
  private CredentialsCheck check;
  private ModelBackend backend;

  @BeforeEach
  void start() throws IOException {
    server.start();
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now.get();
          }
        };
    check =
        new CredentialsCheck(
            new CredentialVerifier(Duration.ofMillis(500)),
            new VerificationSchedule(VerificationSchedule.Settings.DEFAULTS),
            ProviderEndpoints.allAt(server.url("/").toString()),
            clock);
    backend = HostedFixtures.hosted("llm", "gpt-4o", "openai", "openai-key", "");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CredentialsCheck.Report checkWith(String key) {
    return check.check(backend, Optional.of(HostedFixtures.sourceSecret("llm", "openai-key", key)));
  }

  @Test
  void validKeyIsResolvedAndValid() {
    server.enqueue(new MockResponse.Builder().code(200).body(OPENAI_MODELS).build());

    CredentialsCheck.Report report = checkWith(KEY);

    assertThat(report.resolved().status()).isEqualTo("True");
    assertThat(report.resolved().message()).contains("llm/openai-key").doesNotContain(KEY);
    assertThat(report.valid().status()).isEqualTo("True");
    assertThat(report.valid().reason()).isEqualTo("Valid");
    assertThat(report.usable()).isTrue();
    assertThat(report.recheckAfter()).contains(Duration.ofHours(1));
  }

  @Test
  void refusedKeyIsInvalidAndNotUsable() {
    server.enqueue(
        new MockResponse.Builder()
            .code(401)
            .body(
                "{\"error\":{\"message\":\"Incorrect API key provided: "
                    + KEY
                    + "\",\"code\":\"invalid_api_key\"}}")
            .build());

    CredentialsCheck.Report report = checkWith(KEY);

    assertThat(report.valid().status()).isEqualTo("False");
    assertThat(report.valid().reason()).isEqualTo("Invalid");
    assertThat(report.valid().message()).contains("HTTP 401").doesNotContain(KEY);
    assertThat(report.usable()).isFalse();
  }

  @Test
  void timeoutIsUnknownAndRetriedSoonerThanAValidKey() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .headersDelay(2, java.util.concurrent.TimeUnit.SECONDS)
            .body(OPENAI_MODELS)
            .build());

    CredentialsCheck.Report report = checkWith(KEY);

    assertThat(report.valid().status()).isEqualTo("Unknown");
    assertThat(report.valid().reason()).isEqualTo("Unreachable");
    assertThat(report.usable()).isTrue();
    assertThat(report.recheckAfter()).contains(Duration.ofSeconds(30));
  }

  @Test
  void repeatedReconcilesDoNotCallTheProviderAgain() {
    server.enqueue(new MockResponse.Builder().code(200).body(OPENAI_MODELS).build());
    checkWith(KEY);
    for (int i = 0; i < 20; i++) {
      now.set(now.get().plusSeconds(60));
      assertThat(checkWith(KEY).valid().reason()).isEqualTo("Valid");
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void rotatedKeyIsCheckedAfterTheMinimumIntervalAndItsVerdictReplacesTheOld() {
    server.enqueue(new MockResponse.Builder().code(200).body(OPENAI_MODELS).build());
    checkWith(KEY);

    now.set(now.get().plusSeconds(5));
    CredentialsCheck.Report pending = checkWith("sk-rotated-11aa22bb");
    assertThat(pending.valid().reason()).isEqualTo("CheckPending");
    assertThat(pending.recheckAfter()).contains(Duration.ofSeconds(25));
    assertThat(server.getRequestCount()).isEqualTo(1);

    server.enqueue(new MockResponse.Builder().code(401).body("{}").build());
    now.set(now.get().plusSeconds(25));
    CredentialsCheck.Report rotated = checkWith("sk-rotated-11aa22bb");
    assertThat(rotated.valid().reason()).isEqualTo("Invalid");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void missingSecretIsUnresolvedAndNothingIsCalled() {
    CredentialsCheck.Report report = check.check(backend, Optional.empty());

    assertThat(report.resolved().status()).isEqualTo("False");
    assertThat(report.resolved().reason()).isEqualTo("SecretNotFound");
    assertThat(report.valid().reason()).isEqualTo("NotChecked");
    assertThat(report.usable()).isFalse();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void missingKeyIsUnresolved() {
    io.fabric8.kubernetes.api.model.Secret wrongKey =
        HostedFixtures.sourceSecret("llm", "openai-key", KEY);
    wrongKey.setData(java.util.Map.of("token", HostedFixtures.base64(KEY)));

    CredentialsCheck.Report report = check.check(backend, Optional.of(wrongKey));

    assertThat(report.resolved().reason()).isEqualTo("KeyNotFound");
    assertThat(report.resolved().message()).contains("api-key").doesNotContain(KEY);
  }

  @Test
  void verifyOffNeverCallsTheProvider() {
    backend = HostedFixtures.hosted("llm", "gpt-4o", "openai", "openai-key", "verify: false");

    CredentialsCheck.Report report = checkWith(KEY);

    assertThat(report.valid().reason()).isEqualTo("VerificationDisabled");
    assertThat(report.usable()).isTrue();
    assertThat(server.getRequestCount()).isZero();
  }
}
