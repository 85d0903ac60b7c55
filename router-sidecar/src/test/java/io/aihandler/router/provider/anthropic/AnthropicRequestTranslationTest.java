package io.aihandler.router.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UnsupportedRequestException;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.provider.anthropic.AnthropicTranslator.StructuredOutputMode;
import io.aihandler.router.testing.ProviderPayloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicRequestTranslationTest {

  private static final String MODEL = "claude-sonnet-4-5-20250929";
  private static final JsonNode TRIAGE_SCHEMA =
      ProviderPayloads.parse(
          """
          {"type": "object",
           "properties": {"category": {"type": "string", "enum": ["billing", "bug", "other"]},
                          "priority": {"type": "integer", "minimum": 1, "maximum": 4}},
           "required": ["category", "priority"], "additionalProperties": false}
          """);

  private final AnthropicTranslator translator = new AnthropicTranslator();

  static TranslationContext context() {
    return new TranslationContext(
        MODEL,
        "support-triage",
        "chatcmpl-a1b2c3",
        1_735_689_600L,
        null,
        null,
        "native",
        1024,
        false);
  }

  static TranslationContext schemaContext(JsonNode schema, String mode) {
    return new TranslationContext(
        MODEL,
        "support-triage",
        "chatcmpl-a1b2c3",
        1_735_689_600L,
        schema,
        "ticket_triage",
        mode,
        1024,
        false);
  }

  private static ObjectNode chat(String json) {
    return (ObjectNode) ProviderPayloads.parse(json);
  }

  @Test
  void multiTurnConversationWithToolsBecomesTheMessagesRequestAnthropicDocuments() {
    UpstreamRequest request =
        translator.toUpstream(Fixtures.json("chat-request-multi-turn-tools.json"), context());

    assertThat(ProviderPayloads.wire(request.body()))
        .isEqualTo(Fixtures.json("messages-request-multi-turn-tools.json"));
    assertThat(request.path()).isEqualTo("/v1/messages");
    assertThat(request.headers())
        .containsEntry("anthropic-version", "2023-06-01")
        .containsEntry("content-type", "application/json");
    assertThat(request.streaming()).isFalse();
  }

  @Test
  void streamingRequestAsksAnthropicToStream() {
    UpstreamRequest request =
        translator.toUpstream(
            chat(
                """
                {"model": "t", "stream": true, "stream_options": {"include_usage": true},
                 "messages": [{"role": "user", "content": "Hi"}]}
                """),
            context());

    assertThat(request.streaming()).isTrue();
    assertThat(request.body().get("stream").asBoolean()).isTrue();
    assertThat(request.body().has("stream_options")).isFalse();
  }

  @Test
  void conversationOpeningWithTheAssistantGetsAUserTurnFirstAndSameRoleTurnsMerge() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [
                      {"role": "assistant", "content": "Hi, I am the Acme bot."},
                      {"role": "user", "content": "My invoice is wrong."},
                      {"role": "user", "content": [{"type": "text", "text": "It shows 2 seats."}]},
                      {"role": "system", "content": "Be brief."},
                      {"role": "user", "content": "I have 1."}
                    ]}
                    """),
                context())
            .body();

    assertThat(body.get("system"))
        .isEqualTo(ProviderPayloads.parse("[{\"type\": \"text\", \"text\": \"Be brief.\"}]"));
    JsonNode messages = body.get("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
    assertThat(messages.get(0).get("content").get(0).get("text").asText())
        .isEqualTo(MessagesRequestBuilder.OPENING_USER_TURN);
    assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
    assertThat(messages.get(2).get("role").asText()).isEqualTo("user");
    assertThat(messages.get(2).get("content").findValuesAsText("text"))
        .containsExactly("My invoice is wrong.", "It shows 2 seats.", "I have 1.");
  }

  @Test
  void requestTokenLimitWinsOverTheBackendDefault() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "max_completion_tokens": 300, "max_tokens": 200,
                     "messages": [{"role": "user", "content": "Hi"}]}
                    """),
                context())
            .body();
    assertThat(body.get("max_tokens").asInt()).isEqualTo(300);

    JsonNode defaulted =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                context())
            .body();
    assertThat(defaulted.get("max_tokens").asInt()).isEqualTo(1024);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"0.0, 0.0", "0.7, 0.7", "1.0, 1.0", "1.5, 1.0", "2.0, 1.0"})
  void temperatureIsClampedToAnthropicsRange(double openAi, double anthropic) {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"temperature\": "
                        + openAi
                        + ", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                context())
            .body();
    assertThat(body.get("temperature").asDouble()).isEqualTo(anthropic);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\"auto\"                                              | {\"type\": \"auto\"}",
        "\"none\"                                              | {\"type\": \"none\"}",
        "\"required\"                                          | {\"type\": \"any\"}",
        "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}} | {\"type\": \"tool\", \"name\": \"get_weather\"}"
      })
  void toolChoiceMapsToAnthropicsForms(String openAi, String anthropic) {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": "Weather?"}],
                     "tools": [{"type": "function", "function": {"name": "get_weather"}}],
                     "tool_choice": %s}
                    """
                        .formatted(openAi)),
                context())
            .body();

    assertThat(body.get("tool_choice")).isEqualTo(ProviderPayloads.parse(anthropic));
    assertThat(body.get("tools").get(0).get("input_schema"))
        .isEqualTo(ProviderPayloads.parse("{\"type\": \"object\", \"properties\": {}}"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "n                 | 2",
        "seed              | 42",
        "logprobs          | true",
        "top_logprobs      | 3",
        "presence_penalty  | 0.5",
        "frequency_penalty | -1",
        "logit_bias        | {\"50256\": -100}",
        "functions         | [{\"name\": \"f\"}]",
        "reasoning_effort  | \"high\"",
        "verbosity         | \"low\"",
        "some_new_field    | 1"
      })
  void parametersWithoutAnAnthropicEquivalentAreRefusedAsClientErrors(String param, String value) {
    ObjectNode request =
        chat(
            "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \""
                + param
                + "\": "
                + value
                + "}");

    assertThatThrownBy(() -> translator.toUpstream(request, context()))
        .isInstanceOfSatisfying(
            UnsupportedRequestException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
              assertThat(e.error().status()).isEqualTo(400);
              assertThat(e.error().type()).isEqualTo("invalid_request_error");
              assertThat(e.error().message()).contains("'" + param + "'");
            });
  }

  @Test
  void openAisBookkeepingFieldsAreAcceptedAndChangeNothing() {
    JsonNode plain =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                context())
            .body();
    JsonNode tagged =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "store": true, "metadata": {"team": "a"}, "service_tier": "auto",
                     "prompt_cache_key": "k", "safety_identifier": "u1",
                     "messages": [{"role": "user", "content": "Hi"}]}
                    """),
                context())
            .body();
    assertThat(tagged).isEqualTo(plain);
  }

  @Test
  void defaultValuesOfUnsupportedParametersAreAccepted() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "n": 1, "logprobs": false, "presence_penalty": 0,
                     "frequency_penalty": 0.0, "logit_bias": {},
                     "messages": [{"role": "user", "content": "Hi"}]}
                    """),
                context())
            .body();
    assertThat(body.get("messages")).hasSize(1);
  }

  @Test
  void toolCallArgumentsThatAreNotAJsonObjectAreRefused() {
    ObjectNode request =
        chat(
            """
            {"model": "t", "messages": [
              {"role": "user", "content": "Weather?"},
              {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\\"location\\": "}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}
            ]}
            """);

    assertThatThrownBy(() -> translator.toUpstream(request, context()))
        .isInstanceOf(UnsupportedRequestException.class)
        .hasMessageContaining("call_1")
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void systemOnlyConversationIsRefusedWithAClearMessage() {
    ObjectNode request =
        chat(
            "{\"model\": \"t\", \"messages\": [{\"role\": \"system\", \"content\": \"Be nice.\"}]}");
    assertThatThrownBy(() -> translator.toUpstream(request, context()))
        .isInstanceOf(UnsupportedRequestException.class)
        .hasMessageContaining("at least one user or assistant message");
  }

  @Test
  void imagesBecomeBase64OrUrlSources() {
    JsonNode content =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": [
                      {"type": "text", "text": "Compare these."},
                      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                      {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg", "detail": "high"}}
                    ]}]}
                    """),
                context())
            .body()
            .get("messages")
            .get(0)
            .get("content");

    assertThat(content.get(1))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
                """));
    assertThat(content.get(2))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"type\": \"image\", \"source\": {\"type\": \"url\", \"url\": \"https://example.com/cat.jpg\"}}"));
  }

  @Test
  void audioInputIsRefused() {
    ObjectNode request =
        chat(
            """
            {"model": "t", "messages": [{"role": "user", "content": [
              {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]}]}
            """);
    assertThatThrownBy(() -> translator.toUpstream(request, context()))
        .isInstanceOf(UnsupportedRequestException.class)
        .hasMessageContaining("input_audio");
  }

  @Test
  void schemaIsAskedForWithASingleForcedToolByDefault() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Triage: charged twice\"}]}"),
                schemaContext(TRIAGE_SCHEMA, "native"))
            .body();

    assertThat(body.get("tools")).hasSize(1);
    assertThat(body.get("tools").get(0).get("name").asText()).isEqualTo("ticket_triage");
    assertThat(body.get("tools").get(0).get("input_schema")).isEqualTo(TRIAGE_SCHEMA);
    assertThat(body.get("tool_choice"))
        .isEqualTo(ProviderPayloads.parse("{\"type\": \"tool\", \"name\": \"ticket_triage\"}"));
    assertThat(body.has("output_config")).isFalse();
  }

  @Test
  void schemaIsAskedForWithOutputConfigWhenConfiguredSo() {
    JsonNode body =
        new AnthropicTranslator(StructuredOutputMode.OUTPUT_FORMAT)
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Triage\"}]}"),
                schemaContext(TRIAGE_SCHEMA, "native"))
            .body();

    assertThat(body.get("output_config"))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"format\": {\"type\": \"json_schema\", \"schema\": " + TRIAGE_SCHEMA + "}}"));
    assertThat(body.has("tools")).isFalse();
    assertThat(body.has("tool_choice")).isFalse();
  }

  @Test
  void requestWithItsOwnToolsKeepsThemCallableAndGetsTheSchemaAsOutputConfig() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": "Triage"}],
                     "tools": [{"type": "function", "function": {"name": "lookup_customer"}}],
                     "tool_choice": "auto"}
                    """),
                schemaContext(TRIAGE_SCHEMA, "native"))
            .body();

    assertThat(body.get("tools").findValuesAsText("name")).containsExactly("lookup_customer");
    assertThat(body.get("tool_choice")).isEqualTo(ProviderPayloads.parse("{\"type\": \"auto\"}"));
    assertThat(body.at("/output_config/format/schema")).isEqualTo(TRIAGE_SCHEMA);
  }

  @Test
  void nonObjectSchemaCannotRideATool() {
    JsonNode listSchema =
        ProviderPayloads.parse("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}");
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"List\"}]}"),
                schemaContext(listSchema, "native"))
            .body();

    assertThat(body.at("/output_config/format/schema")).isEqualTo(listSchema);
    assertThat(body.has("tools")).isFalse();
  }

  @Test
  void promptModeAsksForNothingNatively() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Triage\"}]}"),
                schemaContext(TRIAGE_SCHEMA, "prompt"))
            .body();

    assertThat(body.has("tools")).isFalse();
    assertThat(body.has("output_config")).isFalse();
  }

  @Test
  void applicationToolNamedLikeTheSchemaIsRefused() {
    ObjectNode request =
        chat(
            """
            {"model": "t", "messages": [{"role": "user", "content": "Triage"}],
             "tools": [{"type": "function", "function": {"name": "ticket_triage"}}]}
            """);
    assertThatThrownBy(() -> translator.toUpstream(request, schemaContext(TRIAGE_SCHEMA, "native")))
        .isInstanceOf(UnsupportedRequestException.class)
        .hasMessageContaining("ticket_triage");
  }

  @Test
  void authHeadersCarryTheKeyOnlyThere() {
    String key = "sk-ant-api03-SECRETSECRETSECRET";
    assertThat(translator.authHeaders(key))
        .containsEntry("x-api-key", key)
        .containsEntry("anthropic-version", "2023-06-01")
        .hasSize(2);

    UpstreamRequest request =
        translator.toUpstream(Fixtures.json("chat-request-multi-turn-tools.json"), context());
    assertThat(request.headers().toString()).doesNotContain(key);
    assertThat(request.body().toString()).doesNotContain(key);
  }
}
