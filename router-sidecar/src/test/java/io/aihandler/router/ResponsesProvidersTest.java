package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStatus;
import io.aihandler.router.testing.ProviderPayloads;
import io.aihandler.router.testing.ServerSentEvents;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses requests served by an Anthropic and a Gemini backend: through the same provider
 * translators as chat, with each provider's real answers (the fixtures under {@code
 * src/test/resources/provider/}).
 */
class ResponsesProvidersTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;
  MockWebServer anthropic;
  MockWebServer gemini;
  Sidecar sidecar;
  OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    anthropic = new MockWebServer();
    anthropic.start();
    gemini = new MockWebServer();
    gemini.start();
    sidecar =
        new Sidecar(
            dir,
            """
            backends:
              - {name: claude, provider: anthropic, baseUrl: "%s", model: claude-sonnet-4-5, credentials: {env: ANTHROPIC_API_KEY}}
              - {name: flash, provider: gemini, baseUrl: "%s", model: gemini-2.5-flash, credentials: {env: GEMINI_API_KEY}}
            """
                .formatted(
                    anthropic.url("/").toString().replaceAll("/$", ""),
                    gemini.url("/").toString().replaceAll("/$", "")),
            Map.of("ANTHROPIC_API_KEY", "sk-ant-test-1", "GEMINI_API_KEY", "AIza-test-2"));
    client = ResponsesApiTest.client(sidecar);
  }

  @AfterEach
  void stop() {
    client.close();
    sidecar.close();
    anthropic.close();
    gemini.close();
  }

  private static MockResponse json(String provider, String name) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "application/json")
        .body(ProviderPayloads.text(provider, name))
        .build();
  }

  private static MockResponse events(String provider, String name) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("content-type", "text/event-stream")
        .body(ProviderPayloads.text(provider, name))
        .build();
  }

  private static JsonNode body(RecordedRequest r) throws Exception {
    return MAPPER.readTree(r.getBody().utf8());
  }

  private static String deltas(List<ServerSentEvents.Event> events) throws Exception {
    StringBuilder text = new StringBuilder();
    for (ServerSentEvents.Event e : events) {
      if (e.event().equals("response.output_text.delta")) {
        text.append(MAPPER.readTree(e.data()).path("delta").asText());
      }
    }
    return text.toString();
  }

  @Test
  void anthropicAnswersAResponsesRequest() throws Exception {
    anthropic.enqueue(json("anthropic", "message-text.json"));

    Response r =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("claude")
                    .instructions("Be kind.")
                    .input("Hello")
                    .maxOutputTokens(200L)
                    .build());

    r.validate();
    assertThat(r.output().getFirst().asMessage().content().getFirst().asOutputText().text())
        .isEqualTo("Hello! How can I help you today?");
    assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(10);
    RecordedRequest up = anthropic.takeRequest(5, TimeUnit.SECONDS);
    assertThat(up.getTarget()).isEqualTo("/v1/messages");
    JsonNode sent = body(up);
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(200);
    assertThat(sent.at("/system/0/text").asText()).isEqualTo("Be kind.");
    assertThat(sent.at("/messages/0/role").asText()).isEqualTo("user");
  }

  @Test
  void anthropicStreamsAsResponsesEvents() throws Exception {
    anthropic.enqueue(events("anthropic", "stream-text.sse"));

    HttpResponse<String> raw =
        sidecar.post("/v1/responses", "{\"model\":\"claude\",\"stream\":true,\"input\":\"Hi\"}");

    List<ServerSentEvents.Event> events = ServerSentEvents.parse(raw.body());
    assertThat(events.getFirst().event()).isEqualTo("response.created");
    assertThat(events.getLast().event()).isEqualTo("response.completed");
    assertThat(deltas(events)).isEqualTo("Hello! How can I help?");
    JsonNode done = MAPPER.readTree(events.getLast().data()).path("response");
    assertThat(done.at("/output/0/content/0/text").asText()).isEqualTo("Hello! How can I help?");
    assertThat(done.at("/usage/output_tokens").asInt()).isEqualTo(15);
    assertThat(body(anthropic.takeRequest(5, TimeUnit.SECONDS)).path("stream").asBoolean())
        .isTrue();
  }

  @Test
  void anthropicToolUseIsAFunctionCallItem() throws Exception {
    anthropic.enqueue(json("anthropic", "message-tool-use.json"));

    HttpResponse<String> raw =
        sidecar.post(
            "/v1/responses",
            "{\"model\":\"claude\",\"input\":\"Weather?\",\"tools\":[{\"type\":\"function\","
                + "\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"name\":\"get_weather\"}}");

    Response r = ResponsesSdk.parse(raw.body());
    ResponseFunctionToolCall call =
        r.output().stream()
            .filter(o -> o.isFunctionCall())
            .findFirst()
            .orElseThrow()
            .asFunctionCall();
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(MAPPER.readTree(call.arguments()).path("location").asText())
        .isEqualTo("San Francisco, CA");
    JsonNode sent = body(anthropic.takeRequest(5, TimeUnit.SECONDS));
    assertThat(sent.at("/tools/0/name").asText()).isEqualTo("get_weather");
    assertThat(sent.at("/tool_choice/type").asText()).isEqualTo("tool");
    assertThat(sent.at("/tool_choice/name").asText()).isEqualTo("get_weather");
  }

  @Test
  void geminiAnswersAResponsesRequest() throws Exception {
    gemini.enqueue(json("gemini", "response-text.json"));

    Response r =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("flash")
                    .instructions("Be brief.")
                    .input("Warmer?")
                    .build());

    r.validate();
    assertThat(r.output().getFirst().asMessage().content().getFirst().asOutputText().text())
        .isEqualTo("Paris is warmer than Berlin today.");
    RecordedRequest up = gemini.takeRequest(5, TimeUnit.SECONDS);
    assertThat(up.getTarget()).contains("gemini-2.5-flash:generateContent");
    JsonNode sent = body(up);
    assertThat(sent.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
    assertThat(sent.at("/contents/0/parts/0/text").asText()).isEqualTo("Warmer?");
  }

  @Test
  void geminiStreamsAsResponsesEvents() throws Exception {
    gemini.enqueue(events("gemini", "stream-text.sse"));

    HttpResponse<String> raw =
        sidecar.post(
            "/v1/responses", "{\"model\":\"flash\",\"stream\":true,\"input\":\"Warmer?\"}");

    List<ServerSentEvents.Event> events = ServerSentEvents.parse(raw.body());
    assertThat(deltas(events)).isEqualTo("Paris is warmer than Berlin today.");
    assertThat(events.getLast().event()).isEqualTo("response.completed");
    Response done =
        ResponsesSdk.parse(MAPPER.readTree(events.getLast().data()).path("response").toString());
    assertThat(done.status()).contains(ResponseStatus.COMPLETED);
    assertThat(gemini.takeRequest(5, TimeUnit.SECONDS).getTarget())
        .contains(":streamGenerateContent");
  }

  @Test
  void aGeminiStreamCutMidwayEndsWithErrorAndResponseFailed() throws Exception {
    gemini.enqueue(events("gemini", "stream-cut.sse"));

    HttpResponse<String> raw =
        sidecar.post("/v1/responses", "{\"model\":\"flash\",\"stream\":true,\"input\":\"How?\"}");

    List<ServerSentEvents.Event> events = ServerSentEvents.parse(raw.body());
    assertThat(events.get(events.size() - 2).event()).isEqualTo("error");
    assertThat(events.getLast().event()).isEqualTo("response.failed");
    assertThat(MAPPER.readTree(events.getLast().data()).at("/response/status").asText())
        .isEqualTo("failed");
  }
}
