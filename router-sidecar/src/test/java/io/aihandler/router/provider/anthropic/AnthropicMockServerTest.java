package io.aihandler.router.provider.anthropic;

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

/** The translator against a MockWebServer that answers exactly as Anthropic's API does. */
class AnthropicMockServerTest {

  private static final String API_KEY = "sk-ant-api03-test-7f3c9a1e5b2d4c6f8a0e";

  private final AnthropicTranslator translator = new AnthropicTranslator();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private MockWebServer anthropic;

  @BeforeEach
  void start() throws Exception {
    anthropic = new MockWebServer();
    anthropic.start();
  }

  @AfterEach
  void stop() {
    anthropic.close();
  }

  private static TranslationContext context(boolean includeUsage) {
    return new TranslationContext(
        "claude-sonnet-4-5-20250929",
        "support-triage",
        "chatcmpl-m0ck",
        1_735_689_600L,
        null,
        null,
        "native",
        512,
        includeUsage);
  }

  /**
   * Sends a translated request the way the sidecar's HTTP layer does: headers, then credentials.
   */
  private HttpRequest send(UpstreamRequest upstream) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(anthropic.url(upstream.path()).uri())
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(upstream.body().toString()));
    upstream.headers().forEach(request::header);
    translator.authHeaders(API_KEY).forEach(request::setHeader);
    return request.build();
  }

  private static Map<String, String> lowerCaseHeaders(HttpResponse<?> response) {
    Map<String, String> headers = new HashMap<>();
    response
        .headers()
        .map()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    return headers;
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("content-type", "application/json")
        .addHeader("request-id", "req_018EeWyXxfu5pfWkrYcMdjWG")
        .body(body)
        .build();
  }

  private static MockResponse eventStream(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "text/event-stream; charset=utf-8")
        .addHeader("cache-control", "no-cache")
        .body(body)
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
  void providerReceivesTheMessagesRequestWithItsAuthAndTheAnswerComesBackInOpenAiShape()
      throws Exception {
    anthropic.enqueue(json(200, Fixtures.text("message-tool-use.json")));
    UpstreamRequest upstream =
        translator.toUpstream(Fixtures.json("chat-request-multi-turn-tools.json"), context(false));

    HttpResponse<String> response = http.send(send(upstream), HttpResponse.BodyHandlers.ofString());
    ObjectNode completion =
        translator.toChatCompletion(ProviderPayloads.parse(response.body()), context(false));

    RecordedRequest received = anthropic.takeRequest();
    assertThat(received.getMethod()).isEqualTo("POST");
    assertThat(received.getTarget()).isEqualTo("/v1/messages");
    assertThat(received.getHeaders().get("x-api-key")).isEqualTo(API_KEY);
    assertThat(received.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(received.getHeaders().get("content-type")).isEqualTo("application/json");
    assertThat(received.getHeaders().get("authorization")).isNull();
    JsonNode sent = ProviderPayloads.parse(received.getBody().string(StandardCharsets.UTF_8));
    JsonNode expected = Fixtures.json("messages-request-multi-turn-tools.json");
    ((ObjectNode) expected).put("max_tokens", 512);
    assertThat(sent).isEqualTo(expected);
    assertThat(sent.toString()).doesNotContain(API_KEY);

    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(completion.at("/choices/0/message/tool_calls/0/function/name").asText())
        .isEqualTo("get_weather");
    assertThat(completion.at("/usage/prompt_tokens").asLong()).isEqualTo(2400);
  }

  @Test
  void streamedAnswerArrivesAsOpenAiChunks() throws Exception {
    anthropic.enqueue(eventStream(Fixtures.text("stream-tool-use.sse")));
    UpstreamRequest upstream =
        translator.toUpstream(
            (ObjectNode)
                ProviderPayloads.parse(
                    """
                    {"model": "support-triage", "stream": true, "stream_options": {"include_usage": true},
                     "messages": [{"role": "user", "content": "Weather and time in San Francisco?"}],
                     "tools": [{"type": "function", "function": {"name": "get_weather"}},
                               {"type": "function", "function": {"name": "get_time"}}]}
                    """),
            context(true));
    assertThat(upstream.streaming()).isTrue();

    List<ObjectNode> chunks = stream(upstream, translator.newStream(context(true)));

    JsonNode sent =
        ProviderPayloads.parse(anthropic.takeRequest().getBody().string(StandardCharsets.UTF_8));
    assertThat(sent.get("stream").asBoolean()).isTrue();
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(AnthropicStreamTranslationTest.content(chunks))
        .isEqualTo("Okay, let's check the weather for San Francisco, CA:");
    ObjectNode finish = chunks.get(chunks.size() - 2);
    assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    ObjectNode usage = chunks.get(chunks.size() - 1);
    assertThat(usage.get("choices")).isEmpty();
    assertThat(usage.at("/usage/prompt_tokens").asLong()).isEqualTo(472);
    assertThat(usage.at("/usage/completion_tokens").asLong()).isEqualTo(89);
  }

  @Test
  void streamCutBeforeMessageStopEndsInAnError() throws Exception {
    anthropic.enqueue(eventStream(Fixtures.text("stream-cut.sse")));
    UpstreamRequest upstream =
        translator.toUpstream(
            (ObjectNode)
                ProviderPayloads.parse(
                    "{\"model\": \"t\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"How?\"}]}"),
            context(false));

    assertThatThrownBy(() -> stream(upstream, translator.newStream(context(false))))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> assertThat(e.error().code()).isEqualTo("stream_truncated"));
  }

  @Test
  void inBandErrorAfterHttp200EndsInARetryableError() throws Exception {
    anthropic.enqueue(eventStream(Fixtures.text("stream-overloaded-error.sse")));
    UpstreamRequest upstream =
        translator.toUpstream(
            (ObjectNode)
                ProviderPayloads.parse(
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
  void overloadedResponseIsMappedWithRetryAfterAndNeverEchoesTheKey() throws Exception {
    anthropic.enqueue(
        new MockResponse.Builder()
            .code(529)
            .addHeader("content-type", "application/json")
            .addHeader("retry-after", "7")
            .body(Fixtures.text("error-overloaded.json"))
            .build());
    UpstreamRequest upstream =
        translator.toUpstream(
            (ObjectNode)
                ProviderPayloads.parse(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
            context(false));

    HttpResponse<String> response = http.send(send(upstream), HttpResponse.BodyHandlers.ofString());
    UpstreamError error =
        translator.toError(response.statusCode(), response.body(), lowerCaseHeaders(response));

    assertThat(error.status()).isEqualTo(503);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(error.toString()).doesNotContain(API_KEY);
  }
}
