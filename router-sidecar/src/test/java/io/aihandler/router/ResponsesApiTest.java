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
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.RawHttp;
import io.aihandler.router.testing.ServerSentEvents;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/responses}, driven by the official OpenAI Java SDK (whose parsing is strict about
 * required fields: every response is {@code validate()}d) and by raw HTTP, against a real sidecar
 * whose backend is a MockWebServer answering as OpenAI's chat completions do.
 */
class ResponsesApiTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static final List<String> TEXT_EVENTS =
      List.of(
          "response.created",
          "response.in_progress",
          "response.output_item.added",
          "response.content_part.added",
          "response.output_text.delta",
          "response.output_text.delta",
          "response.output_text.delta",
          "response.output_text.done",
          "response.content_part.done",
          "response.output_item.done",
          "response.completed");

  @TempDir Path dir;
  MockWebServer openai;
  Sidecar sidecar;
  OpenAIClient client;

  static String config(String upstream, String sidecarLine) {
    return """
        %s
        backends:
          - name: gpt-4o
            provider: openai
            baseUrl: "%s"
            model: gpt-4o
            credentials: {env: OPENAI_API_KEY}
        routes:
          - name: chat
            targets: [{backend: gpt-4o}]
        tasks:
          - name: classify-ticket
            route: chat
            prompt:
              system: You classify support tickets.
              user: "Classify this ticket: {{ticket}}"
            variables: [{name: ticket}]
            output:
              schema:
                type: object
                properties:
                  category: {enum: [billing, bug, other]}
                required: [category]
              maxRepairAttempts: 1
            parameters: {temperature: 0, maxTokens: 100}
        """
        .formatted(sidecarLine, upstream);
  }

  @BeforeEach
  void start() throws Exception {
    openai = new MockWebServer();
    openai.start();
    sidecar =
        new Sidecar(
            dir,
            config(openai.url("/v1").toString(), ""),
            Map.of("OPENAI_API_KEY", "sk-test-key-0123456789"));
    client = client(sidecar);
  }

  static OpenAIClient client(Sidecar sidecar) {
    return OpenAIOkHttpClient.builder()
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

  private JsonNode sent() throws InterruptedException {
    RecordedRequest r = openai.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the backend").isNotNull();
    assertThat(r.getTarget()).isEqualTo("/v1/chat/completions");
    try {
      return MAPPER.readTree(r.getBody().utf8());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String text(Response r) {
    return r.output().getFirst().asMessage().content().getFirst().asOutputText().text();
  }

  @Test
  void plainResponseIsRoutedAsAChatRequestAndParsedStrictlyByTheSdk() throws Exception {
    openai.enqueue(ok(openAiCompletion("Hello there!", "stop")));

    Response r =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .instructions("Be brief.")
                    .input("Say hello")
                    .maxOutputTokens(50L)
                    .temperature(0.2)
                    .user("user-42")
                    .metadata(
                        ResponseCreateParams.Metadata.builder()
                            .putAdditionalProperty("ticket", JsonValue.from("T-1"))
                            .build())
                    .build());

    r.validate();
    assertThat(r.id()).matches("resp_[0-9a-f]{48}");
    assertThat(r.status()).contains(ResponseStatus.COMPLETED);
    assertThat(r.model().asString()).isEqualTo("chat");
    assertThat(text(r)).isEqualTo("Hello there!");
    assertThat(r.output().getFirst().asMessage().id()).startsWith("msg_");
    assertThat(r.instructions().orElseThrow().asString()).isEqualTo("Be brief.");
    assertThat(r.metadata().orElseThrow()._additionalProperties().get("ticket"))
        .isEqualTo(JsonValue.from("T-1"));
    assertThat(r.maxOutputTokens()).contains(50L);
    assertThat(r.temperature()).contains(0.2);
    assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(19);
    assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(10);
    assertThat(r.usage().orElseThrow().totalTokens()).isEqualTo(29);
    assertThat(r.incompleteDetails()).isEmpty();

    JsonNode sent = sent();
    assertThat(sent.path("model").asText()).isEqualTo("gpt-4o");
    assertThat(sent.path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello\"}]");
    assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(50);
    assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
    assertThat(sent.path("user").asText()).isEqualTo("user-42");
    // Metadata and store are the sidecar's business, never the backend's.
    assertThat(sent.has("metadata")).isFalse();
    assertThat(sent.has("store")).isFalse();
    String counted =
        "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"responses\",outcome=\"success\",route=\"chat\",task=\"none\"} 1.0";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!sidecar.metrics().contains(counted) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(sidecar.metrics()).contains(counted);
  }

  @Test
  void anAnswerCutOffByTheTokenLimitIsIncomplete() {
    openai.enqueue(ok(openAiCompletion("Once upon a", "length")));

    Response r =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .input("Tell a story")
                    .maxOutputTokens(3L)
                    .build());

    r.validate();
    assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
    assertThat(r.incompleteDetails().orElseThrow().reason())
        .contains(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
    assertThat(r.output().getFirst().asMessage().status().asString()).isEqualTo("incomplete");
  }

  @Test
  void aStreamIsTheFullEventSequenceWithSequenceNumbersAndNoDone() throws Exception {
    openai.enqueue(
        OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hel", "lo", " world"), true)));

    HttpResponse<String> raw =
        sidecar.post(
            "/v1/responses", "{\"model\":\"chat\",\"stream\":true,\"input\":\"Say hello world\"}");

    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(raw.body()).doesNotContain("[DONE]");
    List<ServerSentEvents.Event> events = ServerSentEvents.parse(raw.body());
    assertThat(events)
        .extracting(ServerSentEvents.Event::event)
        .containsExactlyElementsOf(TEXT_EVENTS);
    StringBuilder deltas = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      JsonNode data = MAPPER.readTree(events.get(i).data());
      assertThat(data.path("type").asText()).isEqualTo(events.get(i).event());
      assertThat(data.path("sequence_number").asInt()).isEqualTo(i);
      if (data.path("type").asText().equals("response.output_text.delta")) {
        assertThat(data.path("output_index").asInt()).isZero();
        assertThat(data.path("content_index").asInt()).isZero();
        assertThat(data.path("item_id").asText()).startsWith("msg_");
        deltas.append(data.path("delta").asText());
      }
    }
    assertThat(deltas.toString()).isEqualTo("Hello world");
    JsonNode completed = MAPPER.readTree(events.getLast().data()).path("response");
    assertThat(completed.path("status").asText()).isEqualTo("completed");
    assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo("Hello world");
    assertThat(completed.at("/usage/output_tokens").asInt()).isEqualTo(3);
    JsonNode sent = sent();
    assertThat(sent.path("stream").asBoolean()).isTrue();
  }

  @Test
  void theSdkStreamsAndParsesEveryEvent() throws Exception {
    openai.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hel", "lo"), true)));

    StringBuilder text = new StringBuilder();
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> s =
        client
            .responses()
            .createStreaming(
                ResponseCreateParams.builder().model("chat").input("Say hello").build())) {
      s.stream().forEach(events::add);
    }
    for (ResponseStreamEvent e : events) {
      e.validate();
      e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
    }
    assertThat(text.toString()).isEqualTo("Hello");
    assertThat(events.getFirst().isCreated()).isTrue();
    Response done = events.getLast().asCompleted().response();
    assertThat(done.status()).contains(ResponseStatus.COMPLETED);
    assertThat(text(done)).isEqualTo("Hello");
  }

  private static ResponseTextConfig citySchema() {
    return ResponseTextConfig.builder()
        .format(
            ResponseFormatTextJsonSchemaConfig.builder()
                .name("city")
                .schema(
                    ResponseFormatTextJsonSchemaConfig.Schema.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty(
                            "properties",
                            JsonValue.from(
                                Map.of(
                                    "city", Map.of("type", "string"),
                                    "population", Map.of("type", "integer"))))
                        .putAdditionalProperty(
                            "required", JsonValue.from(List.of("city", "population")))
                        .build())
                .build())
        .build();
  }

  @Test
  void aJsonSchemaAnswerIsValidatedAndAnInvalidOneRepaired() throws Exception {
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\"}", "stop")));
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\",\"population\":2100000}", "stop")));

    Response r =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .input("Largest city of France?")
                    .text(citySchema())
                    .build());

    r.validate();
    assertThat(MAPPER.readTree(text(r)).path("population").asInt()).isEqualTo(2100000);
    assertThat(r.text().orElseThrow().format().orElseThrow().isJsonSchema()).isTrue();
    JsonNode first = sent();
    assertThat(first.at("/response_format/type").asText()).isEqualTo("json_schema");
    assertThat(first.at("/response_format/json_schema/name").asText()).isEqualTo("city");
    JsonNode repair = sent();
    assertThat(repair.path("messages").size()).isGreaterThan(first.path("messages").size());
    assertThat(repair.path("messages").toString()).contains("population");
  }

  @Test
  void aStreamedJsonSchemaAnswerIsValidatedWholeAndStillStreamedAsEveryEvent() throws Exception {
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\"}", "stop")));
    openai.enqueue(ok(openAiCompletion("{\"city\":\"Paris\",\"population\":2100000}", "stop")));
    String schema =
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
            + "\"population\":{\"type\":\"integer\"}},\"required\":[\"city\",\"population\"]}";

    HttpResponse<String> raw =
        sidecar.post(
            "/v1/responses",
            "{\"model\":\"chat\",\"stream\":true,\"input\":\"Largest city?\",\"text\":{\"format\":"
                + "{\"type\":\"json_schema\",\"name\":\"city\",\"schema\":"
                + schema
                + "}}}");

    List<ServerSentEvents.Event> events = ServerSentEvents.parse(raw.body());
    assertThat(events)
        .extracting(ServerSentEvents.Event::event)
        .containsExactly(
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed");
    JsonNode text = MAPPER.readTree(events.get(5).data()).path("text");
    assertThat(MAPPER.readTree(text.asText()).path("population").asInt()).isEqualTo(2100000);
    assertThat(openai.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aTaskAppliesItsPromptParametersAndSchemaAndItsContinuationKeepsTheTurns() throws Exception {
    openai.enqueue(ok(openAiCompletion("{\"category\":\"refund\"}", "stop")));
    openai.enqueue(ok(openAiCompletion("{\"category\":\"billing\"}", "stop")));
    openai.enqueue(ok(openAiCompletion("{\"category\":\"bug\"}", "stop")));

    Response r =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("classify-ticket")
                    .putAdditionalBodyProperty(
                        "variables", JsonValue.from(Map.of("ticket", "I was charged twice")))
                    .build());

    r.validate();
    assertThat(r.model().asString()).isEqualTo("classify-ticket");
    assertThat(MAPPER.readTree(text(r)).path("category").asText()).isEqualTo("billing");
    assertThat(r.temperature()).contains(0.0);
    assertThat(r.maxOutputTokens()).contains(100L);
    JsonNode first = sent();
    assertThat(first.path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"You classify support tickets.\"},"
                + "{\"role\":\"user\",\"content\":\"Classify this ticket: I was charged twice\"}]");
    assertThat(first.has("variables")).isFalse();
    assertThat(sent().path("messages").toString()).contains("category"); // the repair

    HttpResponse<String> next =
        sidecar.post(
            "/v1/responses",
            "{\"model\":\"classify-ticket\",\"previous_response_id\":\""
                + r.id()
                + "\",\"variables\":{\"ticket\":\"The app crashes\"}}");
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(sent().path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"system\",\"content\":\"You classify support tickets.\"},"
                + "{\"role\":\"user\",\"content\":\"Classify this ticket: I was charged twice\"},"
                + "{\"role\":\"assistant\",\"content\":\"{\\\"category\\\":\\\"billing\\\"}\"},"
                + "{\"role\":\"user\",\"content\":\"Classify this ticket: The app crashes\"}]");
    assertThat(ResponsesSdk.parse(next.body()).previousResponseId()).contains(r.id());
  }

  @Test
  void aFunctionCallRoundTripsWithPreviousResponseIdOrWithTheItemsResent() throws Exception {
    openai.enqueue(ok(OpenAiFixtures.openAiToolCall("get_weather", "{\"city\":\"Paris\"}")));
    openai.enqueue(ok(openAiCompletion("It is 21 degrees in Paris.", "stop")));
    openai.enqueue(ok(openAiCompletion("Still 21.", "stop")));
    FunctionTool weather =
        FunctionTool.builder()
            .name("get_weather")
            .description("Weather of a city")
            .parameters(
                FunctionTool.Parameters.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty(
                        "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                    .build())
            .strict(false)
            .build();

    Response call =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .input("Weather in Paris?")
                    .addTool(weather)
                    .build());

    call.validate();
    ResponseFunctionToolCall fc = call.output().getFirst().asFunctionCall();
    assertThat(fc.callId()).isEqualTo("call_9pw1qnYScqvGrCH58HWCvFH6");
    assertThat(fc.name()).isEqualTo("get_weather");
    assertThat(fc.arguments()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(fc.id().orElseThrow()).startsWith("fc_");
    assertThat(call.tools().getFirst().asFunction().name()).isEqualTo("get_weather");
    JsonNode first = sent();
    assertThat(first.at("/tools/0/type").asText()).isEqualTo("function");
    assertThat(first.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
    assertThat(first.at("/tools/0/function/parameters/type").asText()).isEqualTo("object");
    assertThat(first.at("/tools/0/function/strict").asBoolean(true)).isFalse();

    Response answer =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .previousResponseId(call.id())
                    .inputOfResponse(
                        List.of(
                            ResponseInputItem.ofFunctionCallOutput(
                                ResponseInputItem.FunctionCallOutput.builder()
                                    .callId(fc.callId())
                                    .output("{\"celsius\":21}")
                                    .build())))
                    .addTool(weather)
                    .build());

    answer.validate();
    assertThat(text(answer)).isEqualTo("It is 21 degrees in Paris.");
    assertThat(answer.previousResponseId()).contains(call.id());
    JsonNode continued = sent();
    assertThat(continued.path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_9pw1qnYScqvGrCH58HWCvFH6\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_9pw1qnYScqvGrCH58HWCvFH6\",\"content\":\"{\\\"celsius\\\":21}\"}]");

    // The same turn without the store: the client resends the items, the backend sees the same.
    HttpResponse<String> resent =
        sidecar.post(
            "/v1/responses",
            "{\"model\":\"chat\",\"store\":false,\"input\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"call_9pw1qnYScqvGrCH58HWCvFH6\","
                + "\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_9pw1qnYScqvGrCH58HWCvFH6\","
                + "\"output\":\"{\\\"celsius\\\":21}\"}]}");
    assertThat(resent.statusCode()).isEqualTo(200);
    assertThat(sent().path("messages")).isEqualTo(continued.path("messages"));
    assertThat(MAPPER.readTree(resent.body()).path("store").asBoolean(true)).isFalse();
  }

  @Test
  void previousResponseIdPrependsTheStoredConversationButNotItsInstructions() throws Exception {
    openai.enqueue(ok(openAiCompletion("Paris.", "stop")));
    openai.enqueue(ok(openAiCompletion("About 2.1 million.", "stop")));

    Response first =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .instructions("Answer in one word.")
                    .input("Capital of France?")
                    .build());
    sent();
    Response second =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .previousResponseId(first.id())
                    .input("How many people live there?")
                    .build());

    second.validate();
    assertThat(text(second)).isEqualTo("About 2.1 million.");
    assertThat(sent().path("messages").toString())
        .isEqualTo(
            "[{\"role\":\"user\",\"content\":\"Capital of France?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Paris.\"},"
                + "{\"role\":\"user\",\"content\":\"How many people live there?\"}]");
  }

  @Test
  void aResponseNotStoredOrUnknownIsNotFound() throws Exception {
    openai.enqueue(ok(openAiCompletion("Paris.", "stop")));

    Response unstored =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("chat")
                    .input("Capital of France?")
                    .store(false)
                    .build());
    sent();

    assertThatThrownBy(
            () ->
                client
                    .responses()
                    .create(
                        ResponseCreateParams.builder()
                            .model("chat")
                            .previousResponseId(unstored.id())
                            .input("And of Spain?")
                            .build()))
        .isInstanceOf(NotFoundException.class);
    HttpResponse<String> unknown =
        sidecar.post(
            "/v1/responses",
            "{\"model\":\"chat\",\"input\":\"x\",\"previous_response_id\":\"resp_0123\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    JsonNode error = MAPPER.readTree(unknown.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).isEqualTo("previous_response_id");
    assertThat(error.path("code").asText()).isEqualTo("previous_response_not_found");
    assertThat(openai.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aStoredResponseExpiresAfterTheStoresTtl(@TempDir Path other) throws Exception {
    try (Sidecar shortLived =
        new Sidecar(
            other,
            config(openai.url("/v1").toString(), "sidecar: {responsesStoreTtl: 1s}"),
            Map.of("OPENAI_API_KEY", "sk-test-key-0123456789"))) {
      OpenAIClient c = client(shortLived);
      try {
        openai.enqueue(ok(openAiCompletion("Paris.", "stop")));
        Response first =
            c.responses()
                .create(ResponseCreateParams.builder().model("chat").input("Capital?").build());
        Thread.sleep(1_300);

        assertThatThrownBy(
                () ->
                    c.responses()
                        .create(
                            ResponseCreateParams.builder()
                                .model("chat")
                                .previousResponseId(first.id())
                                .input("And then?")
                                .build()))
            .isInstanceOf(NotFoundException.class)
            .hasMessageContaining("not found");
      } finally {
        c.close();
      }
    }
  }

  @Test
  void aConversationLargerThanARequestBodyIsNotStoredAndSaysSo(@TempDir Path other)
      throws Exception {
    try (Sidecar small =
        new Sidecar(
            other,
            config(openai.url("/v1").toString(), "sidecar: {maxRequestBytes: 2048}"),
            Map.of("OPENAI_API_KEY", "sk-test-key-0123456789"))) {
      openai.enqueue(ok(openAiCompletion("x".repeat(3000), "stop")));

      HttpResponse<String> r =
          small.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Long?\"}");

      assertThat(r.statusCode()).isEqualTo(200);
      Response parsed = ResponsesSdk.parse(r.body());
      assertThat(MAPPER.readTree(r.body()).path("store").asBoolean(true)).isFalse();
      HttpResponse<String> next =
          small.post(
              "/v1/responses",
              "{\"model\":\"chat\",\"input\":\"More\",\"previous_response_id\":\""
                  + parsed.id()
                  + "\"}");
      assertThat(next.statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aStreamThatBreaksAfterItBeganEndsWithAnErrorAndResponseFailed() throws Exception {
    openai.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hel", "lo"), false)));

    HttpResponse<String> raw =
        sidecar.post(
            "/v1/responses", "{\"model\":\"chat\",\"stream\":true,\"input\":\"Say hello\"}");

    List<ServerSentEvents.Event> events = ServerSentEvents.parse(raw.body());
    assertThat(events)
        .extracting(ServerSentEvents.Event::event)
        .containsExactly(
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "error",
            "response.failed");
    JsonNode error = MAPPER.readTree(events.get(6).data());
    assertThat(error.path("message").asText())
        .contains("stream ended before the answer was complete");
    assertThat(error.has("code") && error.has("param")).isTrue();
    assertThat(error.path("sequence_number").asInt()).isEqualTo(6);
    JsonNode failed = MAPPER.readTree(events.get(7).data()).path("response");
    assertThat(failed.path("status").asText()).isEqualTo("failed");
    assertThat(failed.at("/error/code").asText()).isEqualTo("server_error");
    assertThat(failed.at("/output/0/status").asText()).isEqualTo("incomplete");
    assertThat(failed.at("/output/0/content/0/text").asText()).isEqualTo("Hello");

    // The SDK reads the same stream to its failed end.
    openai.enqueue(OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hel", "lo"), false)));
    List<ResponseStreamEvent> sdkEvents = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> s =
        client
            .responses()
            .createStreaming(
                ResponseCreateParams.builder().model("chat").input("Say hello").build())) {
      s.stream().forEach(sdkEvents::add);
    }
    sdkEvents.forEach(ResponseStreamEvent::validate);
    assertThat(sdkEvents.get(sdkEvents.size() - 2).isError()).isTrue();
    assertThat(sdkEvents.getLast().asFailed().response().status()).contains(ResponseStatus.FAILED);
  }

  @Test
  void fieldsTheSidecarCannotHonourAreRefusedNamingThem() throws Exception {
    Map<String, String> refused =
        Map.of(
            "{\"model\":\"chat\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}",
                "tools[0].type",
            "{\"model\":\"chat\",\"input\":\"x\",\"background\":true}", "background",
            "{\"model\":\"chat\",\"input\":\"x\",\"conversation\":\"conv_1\"}", "conversation",
            "{\"model\":\"chat\",\"input\":\"x\",\"prompt\":{\"id\":\"pmpt_1\"}}", "prompt",
            "{\"model\":\"chat\",\"input\":\"x\",\"include\":[\"reasoning.encrypted_content\"]}",
                "include",
            "{\"model\":\"chat\",\"input\":\"x\",\"truncation\":\"auto\"}", "truncation",
            "{\"model\":\"chat\",\"input\":\"x\",\"reasoning\":{\"summary\":\"auto\"}}",
                "reasoning.summary",
            "{\"model\":\"chat\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}",
                "input[0].type",
            "{\"model\":\"chat\",\"input\":\"x\",\"no_such_field\":1}", "no_such_field");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      HttpResponse<String> r = sidecar.post("/v1/responses", e.getKey());
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
      JsonNode error = MAPPER.readTree(r.body()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asText()).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(error.path("code").asText()).isIn("unsupported_parameter", "unknown_parameter");
    }
    HttpResponse<String> noInput = sidecar.post("/v1/responses", "{\"model\":\"chat\"}");
    assertThat(MAPPER.readTree(noInput.body()).at("/error/param").asText()).isEqualTo("input");
    assertThat(openai.getRequestCount()).isZero();
  }

  @Test
  void streamingOverHttp10IsRefused() throws Exception {
    String body = "{\"model\":\"chat\",\"stream\":true,\"input\":\"x\"}";
    try (RawHttp raw = new RawHttp(sidecar.main.port())) {
      RawHttp.Reply reply =
          raw.write(
                  "POST /v1/responses HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
              .readUntilClosed(5_000);
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.body()).contains("streaming_needs_http11");
    }
    assertThat(openai.getRequestCount()).isZero();
  }
}
