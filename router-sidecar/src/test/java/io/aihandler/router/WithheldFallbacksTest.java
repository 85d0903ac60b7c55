package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a request's data class withheld some of its route's backends and the rest failed, the error
 * says so: the client learns that fallbacks existed and were skipped because of the data class.
 */
class WithheldFallbacksTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer external;
  MockWebServer local;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    external = new MockWebServer();
    external.start();
    local = new MockWebServer();
    local.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: gpt-4o, provider: openai-compatible, baseUrl: "%s", model: gpt-4o, locality: external}
              - {name: claude, provider: openai-compatible, baseUrl: "%s", model: claude, locality: external}
              - {name: llama, provider: vllm, baseUrl: "%s", model: llama}
            dataClasses:
              - {name: restricted, allowedLocalities: [in-cluster]}
            routes:
              - name: main
                targets: [{backend: llama, priority: 0}, {backend: gpt-4o, priority: 1}, {backend: claude, priority: 2}]
                backoff: {initial: 5ms, max: 10ms}
                perTryTimeout: 300ms
                timeout: 500ms
            """
                .formatted(external.url("/v1"), external.url("/v1"), local.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    external.close();
    local.close();
  }

  @Test
  void failedInClusterAttemptsNameTheExternalBackendsTheDataClassWithheld() throws Exception {
    for (int i = 0; i < 3; i++) {
      local.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    }

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions", CHAT.formatted("main"), "x-aihandler-data-class", "restricted");

    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("data_policy_withheld_fallbacks");
    assertThat(error.path("message").asText())
        .contains("data class restricted withheld backends gpt-4o, claude (external)")
        .contains("llama");
    assertThat(external.getRequestCount()).isZero();
  }

  @Test
  void aTimeoutWithWithheldFallbacksSaysSoToo() throws Exception {
    for (int i = 0; i < 3; i++) {
      local.enqueue(
          new MockResponse.Builder(OpenAiFixtures.ok(OpenAiFixtures.vllmCompletion("late", "stop")))
              .headersDelay(3, TimeUnit.SECONDS)
              .build());
    }

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions", CHAT.formatted("main"), "x-aihandler-data-class", "restricted");

    assertThat(r.statusCode()).isEqualTo(504);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("data_policy_withheld_fallbacks");
    assertThat(error.path("message").asText())
        .contains("data class restricted withheld backends gpt-4o, claude (external)");
  }

  @Test
  void withoutWithheldBackendsTheErrorIsTheUpstreamsOwn() throws Exception {
    for (int i = 0; i < 3; i++) {
      local.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    }
    // Unrestricted, the request falls back to the external backends, which fail as well.
    for (int i = 0; i < 3; i++) {
      external.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    }

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("main"));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(MAPPER.readTree(r.body()).path("error").path("code").asText())
        .isNotEqualTo("data_policy_withheld_fallbacks");
  }
}
