package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Provider;
import io.aihandler.router.testing.OpenAiFixtures;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One non-streaming attempt against a mock backend. */
class UnaryAttemptTest {

  MockWebServer server;
  AttemptFixture f;
  UnaryAttempt attempt;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    f = new AttemptFixture(Provider.VLLM, server.url("/v1").toString(), "5s", false);
    attempt = new UnaryAttempt(f.upstream, f.credentials, f.health, f.metrics, f.usage);
  }

  @AfterEach
  void stop() {
    f.close();
    server.close();
  }

  private AttemptResult run() {
    try (BackendAdmission.Permit p = f.permit()) {
      return attempt.run(
          f.backend,
          f.outgoing(),
          f.context(),
          f.deadline(),
          f.call,
          f.record,
          p,
          AttemptFixture.SMALL_LIMITS);
    }
  }

  @Test
  void anAnswerIsTranslatedAndItsUsageMetered() {
    server.enqueue(OpenAiFixtures.ok(OpenAiFixtures.vllmCompletion("hello", "stop")));

    AttemptResult r = run();

    assertThat(r).isInstanceOf(AttemptResult.Valid.class);
    assertThat(((AttemptResult.Valid) r).completion().path("id").asText())
        .isEqualTo("chatcmpl-test");
    assertThat(f.record.inputTokens()).isEqualTo(25);
    assertThat(f.record.outputTokens()).isEqualTo(12);
    assertThat(f.backend.breaker().getMetrics().getNumberOfSuccessfulCalls()).isOne();
  }

  @Test
  void anAnswerOverTheLimitFailsAndCountsAgainstTheCircuit() {
    server.enqueue(OpenAiFixtures.ok(OpenAiFixtures.vllmCompletion("x".repeat(100_000), "stop")));

    AttemptResult.Failed r = (AttemptResult.Failed) run();

    assertThat(r.error().code()).isEqualTo("upstream_response_too_large");
    assertThat(r.error().status()).isEqualTo(502);
    assertThat(f.backend.breaker().getMetrics().getNumberOfFailedCalls()).isOne();
  }

  @Test
  void aRedirectFailsWithoutItsLocation() {
    server.enqueue(
        new MockResponse.Builder()
            .code(308)
            .addHeader("location", "https://other.example/?key=secret")
            .build());

    AttemptResult.Failed r = (AttemptResult.Failed) run();

    assertThat(r.error().code()).isEqualTo("upstream_redirect");
    assertThat(r.error().message()).contains("backend b").contains("308").doesNotContain("secret");
    assertThat(server.getRequestCount()).isOne();
  }

  @Test
  void anErrorBodyIsClassifiedFromItsFirstBytes() {
    server.enqueue(
        OpenAiFixtures.openAiError(
            503, "server_error", null, "The engine is currently overloaded" + " ".repeat(10_000)));

    AttemptResult.Failed r = (AttemptResult.Failed) run();

    assertThat(r.error().status()).isEqualTo(503);
    assertThat(r.trigger()).isNotNull();
  }
}
