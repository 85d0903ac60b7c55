package io.aihandler.router.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.testing.ProviderPayloads;
import io.aihandler.router.testing.ServerSentEvents;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The translator against a MockWebServer that answers exactly as the Gemini API does. */
class GeminiMockServerTest {

  private static final String API_KEY = "AIzaSyTEST-9c1d7e3f5a2b4c6d8e0f1a3b5c7";

  private final GeminiTranslator translator = new GeminiTranslator();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private MockWebServer gemini;

  @BeforeEach
  void start() throws Exception {
    gemini = new MockWebServer();
    gemini.start();
  }

  @AfterEach
  void stop() {
    gemini.close();
  }

  private static TranslationContext context(boolean includeUsage) {
    return new TranslationContext(
        "gemini-2.5-flash",
        "support-triage",
        "chatcmpl-g3m1n1",
        1_735_689_600L,
        null,
        null,
        "native",
        1024,
        includeUsage);
  }

  private static ObjectNode chat(String json) {
    return (ObjectNode) ProviderPayloads.parse(json);
  }

  /**
   * Sends a translated request the way the sidecar's HTTP layer does: headers, then credentials.
   */
  private HttpRequest send(UpstreamRequest upstream) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gemini.url(upstream.path()).uri())
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(upstream.body().toString()));
    upstream.headers().forEach(request::header);
    translator.authHeaders(API_KEY).forEach(request::setHeader);
    return request.build();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("content-type", "application/json; charset=UTF-8")
        .addHeader("server-timing", "gfet4t7; dur=612")
        .body(body)
        .build();
  }

  private static MockResponse eventStream(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "text/event-stream")
        .addHeader("content-disposition", "attachment")
        .body(body.replace("\n", "\r\n"))
        .build();
  }

  private List<ObjectNode> stream(UpstreamRequest upstream, StreamTranslator translation)
      throws Exception {
    HttpResponse<Stream<String>> response =
        http.send(send(upstream), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    List<ObjectNode> chunks = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      for (ServerSentEvents.Event event : ServerSentEvents.parse(lines.iterator())) {
        chunks.addAll(translation.onEvent(event.event(), event.data()));
      }
    }
    chunks.addAll(translation.onEnd());
    return chunks;
  }

  @Test
  void providerReceivesTheGenerateContentRequestWithItsKeyAndTheAnswerComesBackInOpenAiShape()
      throws Exception {
    gemini.enqueue(json(200, Fixtures.text("response-function-call.json")));
    UpstreamRequest upstream =
        translator.toUpstream(Fixtures.json("chat-request-multi-turn-tools.json"), context(false));

    HttpResponse<String> response = http.send(send(upstream), HttpResponse.BodyHandlers.ofString());
    ObjectNode completion =
        translator.toChatCompletion(ProviderPayloads.parse(response.body()), context(false));

    RecordedRequest received = gemini.takeRequest();
    assertThat(received.getMethod()).isEqualTo("POST");
    assertThat(received.getTarget()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(received.getHeaders().get("x-goog-api-key")).isEqualTo(API_KEY);
    assertThat(received.getHeaders().get("authorization")).isNull();
    assertThat(received.getUrl().queryParameter("key")).isNull();
    JsonNode sent = ProviderPayloads.parse(received.getBody().string(StandardCharsets.UTF_8));
    assertThat(sent).isEqualTo(Fixtures.json("generate-content-request-multi-turn-tools.json"));
    assertThat(sent.toString()).doesNotContain(API_KEY);

    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(completion.at("/choices/0/message/tool_calls")).hasSize(2);
    assertThat(completion.at("/usage/completion_tokens").asLong()).isEqualTo(76);
  }

  @Test
  void streamedAnswerArrivesFromTheSseEndpointAsOpenAiChunks() throws Exception {
    gemini.enqueue(eventStream(Fixtures.text("stream-text.sse")));
    UpstreamRequest upstream =
        translator.toUpstream(
            chat(
                """
                {"model": "support-triage", "stream": true, "stream_options": {"include_usage": true},
                 "messages": [{"role": "user", "content": "Which is warmer, Paris or Berlin?"}]}
                """),
            context(true));

    List<ObjectNode> chunks = stream(upstream, translator.newStream(context(true)));

    RecordedRequest received = gemini.takeRequest();
    assertThat(received.getTarget())
        .isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    assertThat(received.getHeaders().get("x-goog-api-key")).isEqualTo(API_KEY);
    assertThat(GeminiStreamTranslationTest.content(chunks))
        .isEqualTo("Paris is warmer than Berlin today.");
    assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText())
        .isEqualTo("stop");
    assertThat(chunks.get(chunks.size() - 1).get("choices")).isEmpty();
    assertThat(chunks.get(chunks.size() - 1).at("/usage/total_tokens").asLong()).isEqualTo(137);
  }

  @Test
  void streamCutBeforeAFinishReasonEndsInAnError() throws Exception {
    gemini.enqueue(eventStream(Fixtures.text("stream-cut.sse")));
    UpstreamRequest upstream =
        translator.toUpstream(
            chat(
                "{\"model\": \"t\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"How?\"}]}"),
            context(false));

    assertThatThrownBy(() -> stream(upstream, translator.newStream(context(false))))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> assertThat(e.error().code()).isEqualTo("stream_truncated"));
  }

  @Test
  void errorInsideA200StreamEndsInARetryableError() throws Exception {
    gemini.enqueue(eventStream(Fixtures.text("stream-unavailable-error.sse")));
    UpstreamRequest upstream =
        translator.toUpstream(
            chat(
                "{\"model\": \"t\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"Sum?\"}]}"),
            context(false));

    assertThatThrownBy(() -> stream(upstream, translator.newStream(context(false))))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(503);
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
            });
  }

  @Test
  void quotaErrorIsMappedWithItsRetryDelayAndNeverEchoesTheKey() throws Exception {
    gemini.enqueue(json(429, Fixtures.text("error-rate-limit.json")));
    UpstreamRequest upstream =
        translator.toUpstream(
            chat("{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
            context(false));

    HttpResponse<String> response = http.send(send(upstream), HttpResponse.BodyHandlers.ofString());
    Map<String, String> headers = new HashMap<>();
    response
        .headers()
        .map()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    UpstreamError error = translator.toError(response.statusCode(), response.body(), headers);

    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.RATE_LIMITED);
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(37));
    assertThat(error.toString()).doesNotContain(API_KEY);
  }
}
