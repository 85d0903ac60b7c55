package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.ProviderPayloads;
import io.aihandler.router.testing.ServerSentEvents;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An upstream stream is complete when the provider says so, however its HTTP body is framed:
 * chunked, with a Content-Length, or delimited by closing the connection (HTTP/1.1 with neither, as
 * several servers send streams). A stream that closes before its terminal event stays broken.
 */
class StreamFramingTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"%s\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  enum Framing {
    CHUNKED,
    CONTENT_LENGTH,
    CLOSE_DELIMITED
  }

  @TempDir Path dir;
  MockWebServer upstream;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    upstream = new MockWebServer();
    upstream.start();
    String base = upstream.url("/").toString().replaceAll("/$", "");
    String breaker =
        "circuitBreaker: {minimumCalls: 2, windowSize: 4, failureRateThreshold: 50, openDuration: 1m}";
    sidecar =
        new Sidecar(
            dir,
            """
            backends:
              - {name: llama, provider: vllm, baseUrl: "%s/v1", model: llama}
              - {name: claude, provider: anthropic, baseUrl: "%s", model: claude-sonnet-4-5, credentials: {env: ANTHROPIC_API_KEY}}
              - {name: flash, provider: gemini, baseUrl: "%s", model: gemini-2.5-flash, credentials: {env: GEMINI_API_KEY}}
            routes:
              - {name: llama, targets: [{backend: llama}], %s}
              - {name: claude, targets: [{backend: claude}], %s}
              - {name: flash, targets: [{backend: flash}], %s}
            """
                .formatted(base, base, base, breaker, breaker, breaker),
            Map.of("ANTHROPIC_API_KEY", "sk-ant-test", "GEMINI_API_KEY", "AIza-test"));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    upstream.close();
  }

  static Stream<Arguments> providersAndFramings() {
    return Stream.of("llama", "claude", "flash")
        .flatMap(p -> Stream.of(Framing.values()).map(f -> Arguments.of(p, f)));
  }

  private static String completeStream(String backend) {
    return switch (backend) {
      case "llama" -> sseBody(OpenAiFixtures.streamEvents(List.of("Hello", " there"), true));
      case "claude" -> ProviderPayloads.text("anthropic", "stream-text.sse");
      default -> ProviderPayloads.text("gemini", "stream-text.sse");
    };
  }

  private static String cutStream(String backend) {
    return switch (backend) {
      case "llama" -> sseBody(OpenAiFixtures.streamEvents(List.of("Hello", " there"), false));
      case "claude" -> ProviderPayloads.text("anthropic", "stream-cut.sse");
      default -> ProviderPayloads.text("gemini", "stream-cut.sse");
    };
  }

  private static String sseBody(List<String> events) {
    StringBuilder body = new StringBuilder();
    for (String e : events) {
      body.append("data: ").append(e).append("\n\n");
    }
    return body.toString();
  }

  private static MockResponse framed(String body, Framing framing) {
    MockResponse.Builder b =
        new MockResponse.Builder().code(200).addHeader("content-type", "text/event-stream");
    return switch (framing) {
      case CHUNKED -> b.chunkedBody(body, 64).build();
      case CONTENT_LENGTH -> b.body(body).build();
      case CLOSE_DELIMITED ->
          b.body(body)
              .removeHeader("Content-Length")
              .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
              .build();
    };
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("providersAndFramings")
  void aCompleteStreamIsDeliveredWholeAndCountsAsASuccess(String backend, Framing framing)
      throws Exception {
    for (int i = 0; i < 4; i++) {
      upstream.enqueue(framed(completeStream(backend), framing));
    }
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted(backend));

      assertThat(r.statusCode()).isEqualTo(200);
      List<ServerSentEvents.Event> events = ServerSentEvents.parse(r.body());
      assertThat(events).noneMatch(e -> "error".equals(e.event()));
      assertThat(r.body()).endsWith("data: [DONE]\n\n");
      JsonNode last = MAPPER.readTree(events.get(events.size() - 2).data());
      assertThat(last.path("choices").path(0).path("finish_reason").asText())
          .as("the chunk carrying finish_reason is delivered")
          .isIn("stop", "length");
    }
    assertThat(sidecar.metrics())
        .contains("outcome=\"success\",route=\"" + backend + "\",task=\"none\"} 4.0")
        .doesNotContain("outcome=\"stream_error\"");
    assertThat(
            MAPPER
                .readTree(sidecar.get("/readyz").body())
                .path("backends")
                .path(backend)
                .path("circuit")
                .asText())
        .isEqualTo("CLOSED");
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("providersAndFramings")
  void aStreamThatEndsBeforeItsTerminalEventIsBroken(String backend, Framing framing)
      throws Exception {
    upstream.enqueue(framed(cutStream(backend), framing));

    HttpResponse<String> r = sidecar.post("/v1/chat/completions", CHAT.formatted(backend));

    assertThat(r.body()).doesNotContain("[DONE]");
    assertThat(ServerSentEvents.parse(r.body()).getLast().event()).isEqualTo("error");
  }
}
