package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits.tokensPerMinute}: requests are charged their estimate (input plus max output),
 * corrected with the usage the provider reports; a backend out of tokens is skipped as unavailable.
 */
class TokensPerMinuteTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * "hi" from the user: 17 characters of message (role, user, content, hi) make 5 tokens, plus 4 of
   * framing, so 9 input tokens are estimated before max_tokens is added. The vLLM fixture reports
   * 25 + 12 = 37 tokens used.
   */
  private static final String CHAT =
      "{\"model\":\"%s\",\"max_tokens\":%d,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer small;
  MockWebServer other;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    small = new MockWebServer();
    small.start();
    other = new MockWebServer();
    other.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: small, provider: vllm, baseUrl: "%s", model: m, limits: {tokensPerMinute: 100}}
              - {name: other, provider: vllm, baseUrl: "%s", model: m}
            routes:
              - {name: main, targets: [{backend: small, priority: 0}, {backend: other, priority: 1}]}
              - {name: only-small, targets: [{backend: small}]}
            """
                .formatted(small.url("/v1"), other.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    small.close();
    other.close();
  }

  @Test
  void theEstimateIsChargedThenCorrectedWithUsageAndAnExhaustedBackendIsSkipped() throws Exception {
    small.enqueue(ok(vllmCompletion("one", "stop")));
    small.enqueue(ok(vllmCompletion("two", "stop")));
    other.enqueue(ok(vllmCompletion("three, from the fallback", "stop")));

    // 100 - (9 + 60) = 31 left, corrected by the 37 really used: 63.
    assertThat(sidecar.post("/v1/chat/completions", CHAT.formatted("main", 60)).body())
        .contains("one");
    // 59 fit in 63 only because the first charge was corrected (31 would not); 63 - 59 + 22 = 26.
    assertThat(sidecar.post("/v1/chat/completions", CHAT.formatted("main", 50)).body())
        .contains("two");
    // 59 do not fit in 26: small is skipped and the fallback serves.
    HttpResponse<String> third = sidecar.post("/v1/chat/completions", CHAT.formatted("main", 50));

    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(third.body()).contains("three, from the fallback");
    assertThat(small.getRequestCount()).isEqualTo(2);
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_fallbacks_total{backend=\"small\",reason=\"unavailable\",route=\"main\",task=\"none\"} 1.0");
  }

  @Test
  void aRequestAboveAMinutesTokensIsServedOnAFullBucketAndTheNextOneWithoutFallbackGets503()
      throws Exception {
    small.enqueue(ok(vllmCompletion("big", "stop")));

    // 509 estimated tokens exceed the minute's 100, yet a full bucket admits them (served, not
    // refused forever); the reported 37 leave 63.
    HttpResponse<String> big =
        sidecar.post("/v1/chat/completions", CHAT.formatted("only-small", 500));
    assertThat(big.statusCode()).isEqualTo(200);

    HttpResponse<String> refused =
        sidecar.post("/v1/chat/completions", CHAT.formatted("only-small", 80));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(MAPPER.readTree(refused.body()).path("error").path("message").asText())
        .contains("tokens-per-minute limit");
    assertThat(small.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aHugeMaxTokensWhoseCallFailsIsRefundedAndDoesNotLockTheBackendOut() throws Exception {
    for (int i = 0; i < 3; i++) {
      small.enqueue(OpenAiFixtures.openAiError(503, "server_error", null, "overloaded"));
    }
    small.enqueue(ok(vllmCompletion("served after the failure", "stop")));

    // max_tokens 1e12: far beyond what the backend can generate, so the charge is capped; the
    // call fails, so nothing of it was used and all of it is given back.
    HttpResponse<String> failed =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"only-small\",\"max_tokens\":1e12,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(MAPPER.readTree(failed.body()).path("error").path("message").asText())
        .as("every retry was admitted: the failed attempts gave their charge back")
        .doesNotContain("tokens-per-minute");
    assertThat(small.getRequestCount()).isEqualTo(3);
    // A reload with the same limit keeps the bucket: it must not hold a debt either.
    sidecar.rewriteConfig(java.nio.file.Files.readString(sidecar.configFile) + "\n");

    HttpResponse<String> next =
        sidecar.post("/v1/chat/completions", CHAT.formatted("only-small", 50));

    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).contains("served after the failure");
  }
}
