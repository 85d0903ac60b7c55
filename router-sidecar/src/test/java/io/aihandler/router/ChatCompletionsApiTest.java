package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat-completions API, driven by the official OpenAI Java SDK and by raw HTTP. */
class ChatCompletionsApiTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;
  MockWebServer openai;
  Sidecar sidecar;
  OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    sidecar =
        new Sidecar(
            dir,
            """
            sidecar: {maxRequestBytes: 2048}
            backends:
              - name: gpt-4o
                provider: openai
                baseUrl: "%s"
                model: gpt-4o
                pricing: {inputPerMillionTokens: 2.5, outputPerMillionTokens: 10}
                credentials: {env: OPENAI_API_KEY}
            routes:
              - name: chat
                targets: [{backend: gpt-4o}]
            """
                .formatted(openai.url("/v1")),
            Map.of("OPENAI_API_KEY", "sk-test-key-0123456789"));
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.baseUrl() + "/v1")
            .apiKey("not-the-upstream-key")
            .maxRetries(0)
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    sidecar.close();
    openai.close();
  }

  @Test
  void plainCompletionIsRoutedWithTheUpstreamKeyAndModel() throws Exception {
    openai.enqueue(ok(openAiCompletion("Hello there!", "stop")));

    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("chat")
                    .addSystemMessage("Be brief.")
                    .addUserMessage("Say hello")
                    .build());

    assertThat(c.choices().getFirst().message().content()).contains("Hello there!");
    assertThat(c.model()).isEqualTo("chat");
    assertThat(c.id()).startsWith("chatcmpl-");
    assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(29);
    RecordedRequest up = openai.takeRequest();
    assertThat(up.getTarget()).isEqualTo("/v1/chat/completions");
    assertThat(up.getHeaders().get("authorization")).isEqualTo("Bearer sk-test-key-0123456789");
    JsonNode sent = MAPPER.readTree(up.getBody().utf8());
    assertThat(sent.path("model").asText()).isEqualTo("gpt-4o");
    assertThat(sent.path("messages").size()).isEqualTo(2);
    // The request is counted once its response has been written, just after the client has it.
    String counted =
        "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"success\",route=\"chat\",task=\"none\"} 1.0";
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (!sidecar.metrics().contains(counted) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(sidecar.metrics())
        .contains(counted)
        .contains(
            "aihandler_tokens_total{backend=\"gpt-4o\",direction=\"input\",task=\"none\"} 19.0");
  }

  @Test
  void streamingWithUsageArrivesChunkByChunkAndEndsWithDone() throws Exception {
    openai.enqueue(
        OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hel", "lo", " world"), true)));

    StringBuilder text = new StringBuilder();
    long usageChunks = 0;
    try (StreamResponse<ChatCompletionChunk> s =
        client
            .chat()
            .completions()
            .createStreaming(
                ChatCompletionCreateParams.builder()
                    .model("chat")
                    .addUserMessage("Say hello world")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      for (ChatCompletionChunk chunk : s.stream().toList()) {
        assertThat(chunk.model()).isEqualTo("chat");
        chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
        if (chunk.usage().isPresent()) {
          usageChunks++;
          assertThat(chunk.usage().get().completionTokens()).isEqualTo(3);
        }
      }
    }
    assertThat(text.toString()).isEqualTo("Hello world");
    assertThat(usageChunks).isEqualTo(1);
    JsonNode sent = MAPPER.readTree(openai.takeRequest().getBody().utf8());
    assertThat(sent.path("stream").asBoolean()).isTrue();
    assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void streamingWithoutUsageDropsTheUsageChunkButStillMetersTokens() throws Exception {
    openai.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("a", "b"), true)));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(r.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_tokens_total{backend=\"gpt-4o\",direction=\"output\",task=\"none\"} 2.0");
  }

  @Test
  void responseFormatJsonSchemaIsForwardedAndTheAnswerValidated() throws Exception {
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\",\"population\":2100000}", "stop")));

    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("chat")
                    .addUserMessage("Largest city of France?")
                    .responseFormat(
                        ResponseFormatJsonSchema.builder()
                            .jsonSchema(
                                ResponseFormatJsonSchema.JsonSchema.builder()
                                    .name("city")
                                    .schema(
                                        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                            .putAdditionalProperty("type", JsonValue.from("object"))
                                            .putAdditionalProperty(
                                                "properties",
                                                JsonValue.from(
                                                    Map.of(
                                                        "city", Map.of("type", "string"),
                                                        "population", Map.of("type", "integer"))))
                                            .putAdditionalProperty(
                                                "required",
                                                JsonValue.from(List.of("city", "population")))
                                            .build())
                                    .build())
                            .build())
                    .build());

    JsonNode out = MAPPER.readTree(c.choices().getFirst().message().content().orElseThrow());
    assertThat(out.path("city").asText()).isEqualTo("Paris");
    JsonNode sent = MAPPER.readTree(openai.takeRequest().getBody().utf8());
    assertThat(sent.path("response_format").path("type").asText()).isEqualTo("json_schema");
    assertThat(sent.path("response_format").path("json_schema").path("name").asText())
        .isEqualTo("city");
  }

  @Test
  void invalidOutputForTheClientsSchemaIsRepairedBeforeItIsReturned() throws Exception {
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\"}", "stop")));
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\",\"population\":2100000}", "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            """
            {"model":"chat","messages":[{"role":"user","content":"Largest city?"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"city","schema":
               {"type":"object","required":["city","population"]}}}}
            """);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("population");
    openai.takeRequest();
    JsonNode repair = MAPPER.readTree(openai.takeRequest().getBody().utf8());
    JsonNode last = repair.path("messages").get(repair.path("messages").size() - 1);
    assertThat(last.path("content").asText()).contains("population");
  }

  @Test
  void toolsAndToolCallsPassThrough() throws Exception {
    openai.enqueue(ok(OpenAiFixtures.openAiToolCall("get_weather", "{\"city\":\"Oslo\"}")));

    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("chat")
                    .addUserMessage("Weather in Oslo?")
                    .addFunctionTool(
                        FunctionDefinition.builder()
                            .name("get_weather")
                            .parameters(
                                FunctionParameters.builder()
                                    .putAdditionalProperty("type", JsonValue.from("object"))
                                    .putAdditionalProperty(
                                        "properties",
                                        JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                    .build())
                            .build())
                    .build());

    var call = c.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Oslo\"}");
    assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("tool_calls");
    JsonNode sent = MAPPER.readTree(openai.takeRequest().getBody().utf8());
    assertThat(sent.path("tools").get(0).path("function").path("name").asText())
        .isEqualTo("get_weather");
  }

  @Test
  void unknownModelIs404InTheOpenAiEnvelope() {
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("nope")
                            .addUserMessage("x")
                            .build()))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.code()).contains("model_not_found");
            });
    assertThat(openai.getRequestCount()).isZero();
  }

  @Test
  void badRequestsGetClearClientErrors() throws Exception {
    HttpResponse<String> malformed = sidecar.post("/v1/chat/completions", "{\"model\": \"chat\",");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(envelope(malformed).path("code").asText()).isEqualTo("invalid_json");
    assertThat(envelope(malformed).path("type").asText()).isEqualTo("invalid_request_error");

    HttpResponse<String> noMessages = sidecar.post("/v1/chat/completions", "{\"model\":\"chat\"}");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(envelope(noMessages).path("param").asText()).isEqualTo("messages");

    HttpResponse<String> noModel =
        sidecar.post(
            "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(envelope(noModel).path("param").asText()).isEqualTo("model");

    String big = "x".repeat(4096);
    HttpResponse<String> oversized =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");
    assertThat(oversized.statusCode()).isEqualTo(413);
    assertThat(envelope(oversized).path("code").asText()).isEqualTo("request_too_large");

    HttpResponse<String> notFound = sidecar.get("/v1/nothing");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(envelope(notFound).path("message").asText()).contains("/v1/nothing");
    assertThat(openai.getRequestCount()).isZero();
  }

  @Test
  void modelsHealthAndReadiness() throws Exception {
    HttpResponse<String> models = sidecar.get("/v1/models");
    assertThat(MAPPER.readTree(models.body()).path("data").findValuesAsText("id"))
        .containsExactly("chat", "gpt-4o");
    assertThat(sidecar.get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = sidecar.get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(
            MAPPER.readTree(ready.body()).path("backends").path("gpt-4o").path("circuit").asText())
        .isEqualTo("CLOSED");
    HttpResponse<String> metrics = sidecar.get("/metrics");
    assertThat(metrics.body()).contains("aihandler_circuit_state{backend=\"gpt-4o\"} 0.0");
  }

  @Test
  void oneModelIsRetrievedByNameAndAnUnknownOneIsNotFound() throws Exception {
    Model route = client.models().retrieve("chat");
    assertThat(route.id()).isEqualTo("chat");
    assertThat(route.ownedBy()).isEqualTo("aihandler:route");
    assertThat(client.models().retrieve("gpt-4o").ownedBy()).isEqualTo("aihandler:backend");

    assertThatThrownBy(() -> client.models().retrieve("gpt-5"))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> assertThat(e.getMessage()).contains("gpt-5").contains("does not exist"));
    HttpResponse<String> raw = sidecar.get("/v1/models/gpt-5");
    assertThat(raw.statusCode()).isEqualTo(404);
    assertThat(envelope(raw).path("code").asText()).isEqualTo("model_not_found");
    assertThat(envelope(raw).path("param").asText()).isEqualTo("model");
    assertThat(openai.getRequestCount()).isZero();
  }

  private static JsonNode envelope(HttpResponse<String> r) throws Exception {
    return MAPPER.readTree(r.body()).path("error");
  }
}
