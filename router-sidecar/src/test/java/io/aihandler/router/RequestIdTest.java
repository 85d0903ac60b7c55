package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.sse;
import static io.aihandler.router.testing.OpenAiFixtures.streamEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every response carries an {@code x-request-id}: the app's when sane, a new one otherwise; the
 * same id goes upstream and into the access line.
 */
class RequestIdTest {

  private static final String CHAT =
      "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  MockWebServer openai;
  Sidecar sidecar;
  LogCapture log;

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    log = new LogCapture();
    sidecar =
        new Sidecar(
            dir,
            """
            sidecar: {maxRequestBytes: 2048}
            backends:
              - {name: gpt, provider: openai, baseUrl: "%s", model: gpt-4o, credentials: {env: KEY}}
            routes:
              - {name: chat, targets: [{backend: gpt}]}
            """
                .formatted(openai.url("/v1")),
            Map.of("KEY", "sk-test-key-0123456789"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    openai.close();
    log.close();
  }

  private OpenAIClient client(String requestId) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(sidecar.baseUrl() + "/v1")
        .apiKey("unused")
        .maxRetries(0)
        .putHeader("x-request-id", requestId)
        .build();
  }

  @Test
  void theAppsIdIsEchoedSentUpstreamAndLogged() throws Exception {
    openai.enqueue(ok(openAiCompletion("Hi", "stop")));
    OpenAIClient client = client("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    try {
      HttpResponseFor<ChatCompletion> r =
          client
              .chat()
              .completions()
              .withRawResponse()
              .create(
                  ChatCompletionCreateParams.builder().model("chat").addUserMessage("hi").build());
      assertThat(r.headers().values("x-request-id"))
          .containsExactly("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    } finally {
      client.close();
    }
    // The provider's own x-request-id on its answer is not passed back: the header is the app's.
    assertThat(openai.takeRequest().getHeaders().get("x-request-id"))
        .isEqualTo("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    assertThat(log.awaitLine(l -> l.contains(" status=200 ")))
        .contains(" request_id=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  }

  @Test
  void anErrorCarriesTheId() throws Exception {
    OpenAIClient client = client("app-err-1");
    try {
      assertThatThrownBy(
              () ->
                  client
                      .chat()
                      .completions()
                      .create(
                          ChatCompletionCreateParams.builder()
                              .model("no-such-model")
                              .addUserMessage("hi")
                              .build()))
          .isInstanceOfSatisfying(
              NotFoundException.class,
              e -> assertThat(e.headers().values("x-request-id")).containsExactly("app-err-1"));
    } finally {
      client.close();
    }
    // Refused before the body is read, and at an unknown path: still the id.
    HttpResponse<String> tooLarge =
        sidecar.post(
            "/v1/chat/completions",
            "{\"x\":\"" + "a".repeat(4096) + "\"}",
            "x-request-id",
            "big-1");
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.headers().firstValue("x-request-id")).hasValue("big-1");
    HttpResponse<String> unknown = sidecar.get("/v1/nothing");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("x-request-id"))
        .get()
        .asString()
        .matches("[0-9a-f]{32}");
  }

  @Test
  void aStreamCarriesTheId() throws Exception {
    openai.enqueue(sse(streamEvents(java.util.List.of("Hel", "lo"), true)));
    OpenAIClient client = client("stream-7");
    try {
      HttpResponseFor<StreamResponse<ChatCompletionChunk>> r =
          client
              .chat()
              .completions()
              .withRawResponse()
              .createStreaming(
                  ChatCompletionCreateParams.builder().model("chat").addUserMessage("hi").build());
      assertThat(r.headers().values("x-request-id")).containsExactly("stream-7");
      try (StreamResponse<ChatCompletionChunk> chunks = r.parse()) {
        assertThat(chunks.stream().count()).isPositive();
      }
    } finally {
      client.close();
    }
  }

  @Test
  void anUnsaneIdIsReplacedAndTheReplacementUsedEverywhere() throws Exception {
    for (String bad : new String[] {"a".repeat(129), "has space", "quote\"d", "ünïcode", ""}) {
      openai.enqueue(ok(openAiCompletion("Hi", "stop")));
      HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT, "x-request-id", bad);
      assertThat(r.statusCode()).isEqualTo(200);
      String id = r.headers().firstValue("x-request-id").orElseThrow();
      assertThat(id).as("replacing %s", bad).matches("[0-9a-f]{32}");
      assertThat(openai.takeRequest().getHeaders().get("x-request-id")).isEqualTo(id);
      assertThat(log.awaitLine(l -> l.contains(" request_id=" + id))).contains(" status=200 ");
    }
    // The longest sane id is kept as it is.
    openai.enqueue(ok(openAiCompletion("Hi", "stop")));
    String longest = "A1_.:+/=@-".repeat(12) + "abcdefgh";
    assertThat(
            sidecar
                .post("/v1/chat/completions", CHAT, "x-request-id", longest)
                .headers()
                .firstValue("x-request-id"))
        .hasValue(longest);
  }

  @Test
  void withoutAnIdEachRequestGetsItsOwn() throws Exception {
    openai.enqueue(ok(openAiCompletion("Hi", "stop")));
    openai.enqueue(ok(openAiCompletion("Hi", "stop")));
    String a =
        sidecar
            .post("/v1/chat/completions", CHAT)
            .headers()
            .firstValue("x-request-id")
            .orElseThrow();
    String b =
        sidecar
            .post("/v1/chat/completions", CHAT)
            .headers()
            .firstValue("x-request-id")
            .orElseThrow();
    assertThat(a).matches("[0-9a-f]{32}");
    assertThat(b).matches("[0-9a-f]{32}").isNotEqualTo(a);
    assertThat(
            sidecar
                .getFrom(sidecar.managementUrl(), "/readyz")
                .headers()
                .firstValue("x-request-id"))
        .isPresent();
  }
}
