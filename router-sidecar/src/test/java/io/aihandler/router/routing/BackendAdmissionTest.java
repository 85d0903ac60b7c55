package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Capabilities;
import io.aihandler.router.config.Credentials;
import io.aihandler.router.config.Provider;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.openai.OpenAiTranslator;
import io.aihandler.router.routing.BackendAdmission.Permit;
import io.aihandler.router.routing.BackendAdmission.Refused;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.TokenBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Each permit an attempt takes, and that every path gives back what was taken. */
class BackendAdmissionTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long NOW = 0;

  private final CredentialStore credentials =
      new CredentialStore(Map.of("KEY", "sk-test")::get, new RouterMetrics());
  private final BackendAdmission admission = new BackendAdmission(credentials, () -> NOW);

  private static BackendRuntime backend(
      Integer contextWindow, int concurrency, int rpm, int tpm, Credentials creds) {
    Backend config =
        new Backend(
            "llama",
            Provider.VLLM,
            "http://127.0.0.1:1/v1",
            "m",
            null,
            null,
            null,
            new Capabilities(contextWindow, null, null, null, null),
            null,
            creds,
            100,
            null);
    return new BackendRuntime(
        config,
        new OpenAiTranslator(OpenAiTranslator.Flavor.VLLM, null),
        null,
        CircuitBreaker.ofDefaults("llama"),
        new Semaphore(concurrency),
        new BackendRuntime.RequestRate(rpm, NOW),
        new TokenBudget(tpm, NOW));
  }

  private static BackendRuntime backend() {
    return backend(null, 1, 0, 1000, null);
  }

  private static ObjectNode request(String maxTokens) throws Exception {
    return (ObjectNode)
        MAPPER.readTree(
            "{\"max_tokens\":"
                + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void aPermitTakesEachLimitAndClosingGivesThemBack() throws Exception {
    BackendRuntime b = backend();
    Permit p = (Permit) admission.admit(b, request("50"));

    assertThat(b.concurrency().availablePermits()).isZero();
    assertThat(b.tokens().available(NOW)).isEqualTo(1000.0 - p.charged());
    p.close();
    assertThat(b.concurrency().availablePermits()).isOne();
    assertThat(b.tokens().available(NOW)).as("failed without usage: refunded").isEqualTo(1000.0);
    p.close();
    assertThat(b.concurrency().availablePermits()).as("closing twice gives back once").isOne();
  }

  @Test
  void theProvidersCountReplacesTheCharge() throws Exception {
    BackendRuntime b = backend();
    try (Permit p = (Permit) admission.admit(b, request("500"))) {
      p.succeeded(1);
      p.answered();
      p.used(37);
    }
    assertThat(b.tokens().available(NOW)).isEqualTo(963.0);
  }

  @Test
  void anAnswerWithoutUsageKeepsItsCharge() throws Exception {
    BackendRuntime b = backend();
    long charged;
    try (Permit p = (Permit) admission.admit(b, request("50"))) {
      charged = p.charged();
      p.succeeded(1);
      p.answered();
    }
    assertThat(b.tokens().available(NOW)).isEqualTo(1000.0 - charged);
  }

  @Test
  void aChargeNeverExceedsTheContextWindowOrWithoutOneAMinutesTokens() throws Exception {
    assertThat(BackendAdmission.charge(backend(8192, 1, 0, 0, null), request("1e12")))
        .isEqualTo(8192);
    assertThat(BackendAdmission.charge(backend(null, 1, 0, 1000, null), request("1e12")))
        .isEqualTo(1000);
    assertThat(BackendAdmission.charge(backend(null, 1, 0, 1000, null), request("50")))
        .as("4 framing + 5 text + 50 output")
        .isEqualTo(59);
  }

  @Test
  void aMissingTranslatorOrKeyRefusesAndHoldsNothing() throws Exception {
    BackendRuntime noTranslator =
        new BackendRuntime(
            backend().config(),
            null,
            "provider x is not supported",
            CircuitBreaker.ofDefaults("x"),
            new Semaphore(1),
            new BackendRuntime.RequestRate(0, 0),
            new TokenBudget(0, NOW));
    assertThat(admission.admit(noTranslator, request("1")))
        .isEqualTo(new Refused("provider x is not supported"));

    BackendRuntime noKey = backend(null, 1, 0, 0, new Credentials(null, "MISSING"));
    assertThat(((Refused) admission.admit(noKey, request("1"))).message()).contains("no API key");
    assertThat(noKey.concurrency().availablePermits()).isOne();

    BackendRuntime withKey = backend(null, 1, 0, 0, new Credentials(null, "KEY"));
    assertThat(admission.admit(withKey, request("1"))).isInstanceOf(Permit.class);
  }

  @Test
  void anOpenCircuitRefuses() throws Exception {
    BackendRuntime b = backend();
    b.breaker().transitionToOpenState();
    assertThat(((Refused) admission.admit(b, request("1"))).message())
        .contains("circuit")
        .contains("open");
    assertThat(b.concurrency().availablePermits()).isOne();
    assertThat(b.tokens().available(NOW)).isEqualTo(1000.0);
  }

  @Test
  void aFullConcurrencyLimitRefusesAndGivesTheCircuitPermissionBack() throws Exception {
    Backend config = backend().config();
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "llama",
            CircuitBreakerConfig.custom().permittedNumberOfCallsInHalfOpenState(1).build());
    BackendRuntime b =
        new BackendRuntime(
            config,
            new OpenAiTranslator(OpenAiTranslator.Flavor.VLLM, null),
            null,
            breaker,
            new Semaphore(1),
            new BackendRuntime.RequestRate(0, 0),
            new TokenBudget(0, NOW));
    breaker.transitionToOpenState();
    breaker.transitionToHalfOpenState(); // one trial call: a leaked permission would lock it
    b.concurrency().acquire();

    assertThat(((Refused) admission.admit(b, request("1"))).message())
        .contains("concurrency limit");
    b.concurrency().release();
    assertThat(admission.admit(b, request("1")))
        .as("the refused attempt's trial call came back")
        .isInstanceOf(Permit.class);
  }

  @Test
  void tokensAndRequestsPerMinuteRefuseAndGiveBackWhatWasTaken() throws Exception {
    BackendRuntime tokens = backend(null, 1, 0, 10, null);
    tokens.tokens().tryTake(10, NOW);
    assertThat(((Refused) admission.admit(tokens, request("50"))).message())
        .contains("tokens-per-minute");
    assertThat(tokens.concurrency().availablePermits()).isOne();

    BackendRuntime requests = backend(null, 1, 1, 1000, null);
    ((Permit) admission.admit(requests, request("50"))).close();
    assertThat(((Refused) admission.admit(requests, request("50"))).message())
        .contains("requests-per-minute");
    assertThat(requests.tokens().available(NOW))
        .as("the token charge was given back")
        .isEqualTo(1000.0);
    assertThat(requests.concurrency().availablePermits()).isOne();
  }

  @Test
  void upstreamErrorsSettleTheCircuitByKind() throws Exception {
    BackendRuntime b = backend();
    for (UpstreamError.Kind kind : UpstreamError.Kind.values()) {
      try (Permit p = (Permit) admission.admit(b, request("1"))) {
        p.upstreamError(kind, TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
    CircuitBreaker.Metrics m = b.breaker().getMetrics();
    assertThat(m.getNumberOfFailedCalls()).as("server error and authentication").isEqualTo(2);
    assertThat(m.getNumberOfSuccessfulCalls()).as("a client error").isEqualTo(1);
  }
}
