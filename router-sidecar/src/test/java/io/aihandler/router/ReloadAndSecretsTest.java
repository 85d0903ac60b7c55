package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config and key files change under a running sidecar; keys never show anywhere. */
class ReloadAndSecretsTest {

  private static final String KEY_1 = "sk-proj-FIRSTkeyVALUE0000000001";
  private static final String KEY_2 = "sk-proj-SECONDkeyVALUE000000002";
  private static final String ENV_KEY = "sk-env-THIRDkeyVALUE0000000003";
  private static final String CHAT =
      "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer openai;
  Sidecar sidecar;
  Path keyFile;
  LogCapture logs;

  String config(String extraRoute) {
    return """
        sidecar: {logLevel: debug}
        backends:
          - name: gpt-4o
            provider: openai
            baseUrl: "%s"
            model: gpt-4o
            credentials: {file: "%s"}
          - name: gpt-env
            provider: openai
            baseUrl: "%s"
            model: gpt-4o-mini
            credentials: {env: OPENAI_API_KEY}
        routes:
          - {name: chat, targets: [{backend: gpt-4o}], maxAttempts: 1}
        %s
        """
        .formatted(openai.url("/v1"), keyFile, openai.url("/v1"), extraRoute);
  }

  @BeforeEach
  void start() throws Exception {
    logs = new LogCapture();
    openai = new MockWebServer();
    openai.start();
    keyFile = dir.resolve("openai-key");
    Files.writeString(keyFile, KEY_1 + "\n");
    sidecar = new Sidecar(dir, config(""), Map.of("OPENAI_API_KEY", ENV_KEY));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    openai.close();
    logs.close();
  }

  @Test
  void aRotatedKeyIsUsedWithoutRestart() throws Exception {
    openai.enqueue(ok(openAiCompletion("one", "stop")));
    openai.enqueue(ok(openAiCompletion("two", "stop")));

    sidecar.post("/v1/chat/completions", CHAT.formatted("chat"));
    Files.writeString(keyFile, KEY_2);
    sidecar.main.config().check();
    sidecar.post("/v1/chat/completions", CHAT.formatted("chat"));

    assertThat(openai.takeRequest().getHeaders().get("authorization")).isEqualTo("Bearer " + KEY_1);
    assertThat(openai.takeRequest().getHeaders().get("authorization")).isEqualTo("Bearer " + KEY_2);
    assertThat(sidecar.metrics())
        .contains("aihandler_config_reloads_total{file=\"credentials\",outcome=\"success\"} 1.0");
  }

  @Test
  void anEmptyKeyFileMakesTheBackendUnavailableAndNoRequestGoesOutWithoutAKey() throws Exception {
    openai.enqueue(ok(openAiCompletion("with the new key", "stop")));

    for (String empty : new String[] {"", " \n\t\n"}) {
      Files.writeString(keyFile, empty);
      sidecar.main.config().check();

      HttpResponse<String> refused = sidecar.post("/v1/chat/completions", CHAT.formatted("chat"));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("backend_unavailable").contains("no API key");
      HttpResponse<String> ready = sidecar.getFrom(sidecar.managementUrl(), "/readyz");
      assertThat(ready.body())
          .contains("\"credentials\":\"missing\"")
          .contains("credential file " + keyFile + " is empty");
    }
    assertThat(openai.getRequestCount()).as("nothing reached the upstream").isZero();

    Files.writeString(keyFile, KEY_2 + "\n");
    sidecar.main.config().check();
    HttpResponse<String> served = sidecar.post("/v1/chat/completions", CHAT.formatted("chat"));

    assertThat(served.body()).contains("with the new key");
    assertThat(openai.takeRequest().getHeaders().get("authorization")).isEqualTo("Bearer " + KEY_2);
    String ready = sidecar.getFrom(sidecar.managementUrl(), "/readyz").body();
    assertThat(ready).contains("\"gpt-4o\":{").doesNotContain("missing").doesNotContain("problem");
    assertThat(logs.lines().stream().filter(l -> l.contains("is empty")))
        .as("one warning")
        .hasSize(1);
    for (String text : new String[] {ready, sidecar.metrics(), logs.all(), served.body()}) {
      assertThat(text).doesNotContain(KEY_1).doesNotContain(KEY_2).doesNotContain("SECONDkey");
    }
  }

  @Test
  void aSidecarStartedWithAnEmptyKeyFileServesOtherBackendsAndSaysWhichKeyIsMissing()
      throws Exception {
    sidecar.close();
    Files.writeString(keyFile, "\n");
    sidecar = new Sidecar(dir, config(""), Map.of("OPENAI_API_KEY", ENV_KEY));
    openai.enqueue(ok(openAiCompletion("env key", "stop")));

    assertThat(sidecar.post("/v1/chat/completions", CHAT.formatted("chat")).statusCode())
        .isEqualTo(503);
    assertThat(sidecar.post("/v1/chat/completions", CHAT.formatted("gpt-env")).body())
        .contains("env key");

    assertThat(openai.getRequestCount()).isEqualTo(1);
    assertThat(openai.takeRequest().getHeaders().get("authorization"))
        .isEqualTo("Bearer " + ENV_KEY);
    String ready = sidecar.getFrom(sidecar.managementUrl(), "/readyz").body();
    assertThat(ready)
        .contains(
            "\"gpt-4o\":{\"circuit\":\"CLOSED\",\"locality\":\"external\",\"credentials\":\"missing\"")
        .contains("\"credentials\":\"present\"")
        .doesNotContain(ENV_KEY)
        .doesNotContain("THIRDkey");
  }

  @Test
  void aBadConfigIsRefusedCountedAndTheLastGoodOneKept() throws Exception {
    sidecar.rewriteConfig("backends: [{name: broken, provider: nobody}]\n");

    assertThat(sidecar.metrics())
        .contains("aihandler_config_reloads_total{file=\"config\",outcome=\"failure\"} 1.0");
    assertThat(logs.all()).contains("cannot be used; keeping the last good one");
    openai.enqueue(ok(openAiCompletion("still here", "stop")));
    assertThat(sidecar.post("/v1/chat/completions", CHAT.formatted("chat")).body())
        .contains("still here");

    sidecar.rewriteConfig(config("  - {name: mini, targets: [{backend: gpt-env}]}"));

    assertThat(sidecar.metrics())
        .contains("aihandler_config_reloads_total{file=\"config\",outcome=\"success\"} 1.0");
    openai.enqueue(ok(openAiCompletion("new route", "stop")));
    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted("mini"));
    assertThat(r.body()).contains("new route");
    openai.takeRequest();
    assertThat(openai.takeRequest().getHeaders().get("authorization"))
        .isEqualTo("Bearer " + ENV_KEY);
  }

  @Test
  void keysNeverAppearInErrorsLogsOrMetrics() throws Exception {
    openai.enqueue(
        OpenAiFixtures.openAiError(
            401,
            "invalid_request_error",
            "invalid_api_key",
            "Incorrect API key provided: "
                + KEY_1
                + ". You can find your API key at"
                + " https://platform.openai.com/account/api-keys."));
    openai.enqueue(ok(openAiCompletion("fine", "stop")));

    HttpResponse<String> failed = sidecar.post("/v1/chat/completions", CHAT.formatted("chat"));
    HttpResponse<String> fine = sidecar.post("/v1/chat/completions", CHAT.formatted("gpt-env"));
    sidecar.rewriteConfig("not: [valid");

    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(failed.body()).contains("Incorrect API key provided").contains("[redacted]");
    assertThat(fine.statusCode()).isEqualTo(200);
    String metrics = sidecar.get("/metrics").body();
    for (String key : new String[] {KEY_1, ENV_KEY, "FIRSTkey", "THIRDkey"}) {
      assertThat(failed.body()).doesNotContain(key);
      assertThat(fine.body()).doesNotContain(key);
      assertThat(metrics).doesNotContain(key);
      assertThat(logs.all()).doesNotContain(key);
    }
    logs.awaitLine(l -> l.contains("POST /v1/chat/completions status=502"));
  }

  @Test
  void theAccessLogHasOneLinePerRequestAndNoPromptText() throws Exception {
    openai.enqueue(ok(openAiCompletion("the answer", "stop")));

    sidecar.post(
        "/v1/chat/completions",
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"my secret question\"}]}");

    logs.awaitLine(l -> l.contains("POST /v1/chat/completions"));
    assertThat(logs.lines().stream().filter(l -> l.contains("POST /v1/chat/completions")))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("backend=gpt-4o").contains("tokens_in=19"));
    assertThat(logs.all()).doesNotContain("my secret question").doesNotContain("the answer");
  }
}
