package io.aihandler.router.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UnsupportedRequestException;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.testing.ProviderPayloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeminiRequestTranslationTest {

  private final GeminiTranslator translator = new GeminiTranslator();

  static TranslationContext context(String model) {
    return new TranslationContext(
        model,
        "support-triage",
        "chatcmpl-g3m1n1",
        1_735_689_600L,
        null,
        null,
        "native",
        1024,
        false);
  }

  static TranslationContext context() {
    return context("gemini-2.5-flash");
  }

  static TranslationContext schemaContext(JsonNode schema, String mode) {
    return new TranslationContext(
        "gemini-2.5-flash",
        "support-triage",
        "chatcmpl-g3m1n1",
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
  void multiTurnConversationWithToolsBecomesTheGenerateContentRequestGeminiDocuments() {
    UpstreamRequest request =
        translator.toUpstream(Fixtures.json("chat-request-multi-turn-tools.json"), context());

    assertThat(ProviderPayloads.wire(request.body()))
        .isEqualTo(Fixtures.json("generate-content-request-multi-turn-tools.json"));
    assertThat(request.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(request.headers()).containsEntry("content-type", "application/json");
    assertThat(request.streaming()).isFalse();
  }

  @Test
  void streamingRequestUsesTheSseEndpoint() {
    UpstreamRequest request =
        translator.toUpstream(
            chat(
                "{\"model\": \"t\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
            context("models/gemini-2.5-pro"));

    assertThat(request.path())
        .isEqualTo("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    assertThat(request.streaming()).isTrue();
    assertThat(request.body().has("stream")).isFalse();
  }

  @Test
  void toolMessageAnsweringAnUnknownCallIsRefusedInsteadOfSendingAFillerName() {
    ObjectNode request =
        chat(
            """
            {"model": "t", "messages": [
              {"role": "user", "content": "Weather?"},
              {"role": "tool", "tool_call_id": "call_missing", "content": "sunny"}
            ]}
            """);

    assertThatThrownBy(() -> translator.toUpstream(request, context()))
        .isInstanceOfSatisfying(
            UnsupportedRequestException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
              assertThat(e.error().message()).contains("call_missing");
            });
  }

  @Test
  void functionNameIsRecoveredFromTheCallWithTheSameIdEvenWhenIdsRepeatAcrossTurns() {
    JsonNode contents =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [
                      {"role": "user", "content": "Weather, then time?"},
                      {"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function",
                        "function": {"name": "get_weather", "arguments": "{}"}}]},
                      {"role": "tool", "tool_call_id": "call_0", "content": "sunny"},
                      {"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function",
                        "function": {"name": "get_time", "arguments": "{\\"tz\\": \\"CET\\"}"}}]},
                      {"role": "tool", "tool_call_id": "call_0", "content": "10:00"}
                    ]}
                    """),
                context())
            .body()
            .get("contents");

    assertThat(contents.findValuesAsText("role"))
        .containsExactly("user", "model", "user", "model", "user");
    assertThat(contents.at("/2/parts/0/functionResponse/name").asText()).isEqualTo("get_weather");
    assertThat(contents.at("/4/parts/0/functionResponse/name").asText()).isEqualTo("get_time");
    assertThat(contents.at("/4/parts/0/functionResponse/response"))
        .isEqualTo(ProviderPayloads.parse("{\"result\": \"10:00\"}"));
  }

  @Test
  void gemini3HistoryWithoutASignatureGetsGooglesPlaceholderOnTheFirstCallOnly() {
    ObjectNode request =
        chat(
            """
            {"model": "t", "messages": [
              {"role": "user", "content": "Weather in two cities?"},
              {"role": "assistant", "tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"location\\": \\"Paris\\"}"}},
                {"id": "call_b", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"location\\": \\"Rome\\"}"}}]},
              {"role": "tool", "tool_call_id": "call_a", "content": "15C"},
              {"role": "tool", "tool_call_id": "call_b", "content": "22C"}
            ]}
            """);

    JsonNode gemini3 =
        translator
            .toUpstream(request, context("gemini-3-pro-preview"))
            .body()
            .at("/contents/1/parts");
    assertThat(gemini3.get(0).get("thoughtSignature").asText())
        .isEqualTo(GenerateContentRequestBuilder.SKIP_THOUGHT_SIGNATURE);
    assertThat(gemini3.get(1).has("thoughtSignature")).isFalse();

    JsonNode gemini25 =
        translator.toUpstream(request, context("gemini-2.5-flash")).body().at("/contents/1/parts");
    assertThat(gemini25.findValues("thoughtSignature")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\"auto\"     | {\"functionCallingConfig\": {\"mode\": \"AUTO\"}}",
        "\"none\"     | {\"functionCallingConfig\": {\"mode\": \"NONE\"}}",
        "\"required\" | {\"functionCallingConfig\": {\"mode\": \"ANY\"}}",
        "{\"type\": \"function\", \"function\": {\"name\": \"get_time\"}} | {\"functionCallingConfig\": {\"mode\": \"ANY\", \"allowedFunctionNames\": [\"get_time\"]}}"
      })
  void toolChoiceMapsToFunctionCallingModes(String openAi, String gemini) {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": "Time?"}],
                     "tools": [{"type": "function", "function": {"name": "get_time"}}],
                     "tool_choice": %s, "parallel_tool_calls": false}
                    """
                        .formatted(openAi)),
                context())
            .body();

    assertThat(body.get("toolConfig")).isEqualTo(ProviderPayloads.parse(gemini));
    assertThat(body.at("/tools/0/functionDeclarations/0"))
        .isEqualTo(ProviderPayloads.parse("{\"name\": \"get_time\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "n                | 3",
        "logprobs         | true",
        "top_logprobs     | 2",
        "logit_bias       | {\"50256\": -100}",
        "function_call    | \"auto\"",
        "reasoning_effort | \"low\"",
        "verbosity        | \"low\"",
        "modalities       | [\"text\", \"audio\"]",
        "some_new_field   | 1"
      })
  void parametersWithoutATranslationAreRefusedAsClientErrors(String param, String value) {
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
              assertThat(e.error().status()).isEqualTo(400);
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
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
                     "prompt_cache_key": "k", "safety_identifier": "u1", "user": "u1",
                     "messages": [{"role": "user", "content": "Hi"}]}
                    """),
                context())
            .body();
    assertThat(tagged).isEqualTo(plain);
  }

  @Test
  void contextSchemaIsAskedForAsResponseJsonSchema() {
    JsonNode schema =
        ProviderPayloads.parse(
            """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "properties": {"category": {"type": "string"}}, "required": ["category"],
             "additionalProperties": false}
            """);

    JsonNode config =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Triage\"}]}"),
                schemaContext(schema, "native"))
            .body()
            .get("generationConfig");

    assertThat(config.get("responseMimeType").asText()).isEqualTo("application/json");
    assertThat(config.get("responseJsonSchema")).isEqualTo(schema);
  }

  @Test
  void requestResponseFormatsAreHonouredWithoutAContextSchema() {
    JsonNode jsonSchema =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": "Triage"}],
                     "response_format": {"type": "json_schema", "json_schema": {"name": "x", "strict": true,
                       "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}
                    """),
                context())
            .body()
            .get("generationConfig");
    assertThat(jsonSchema.at("/responseJsonSchema/properties/a/type").asText())
        .isEqualTo("integer");

    JsonNode jsonObject =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": "Give JSON"}],
                     "response_format": {"type": "json_object"}}
                    """),
                context())
            .body()
            .get("generationConfig");
    assertThat(jsonObject)
        .isEqualTo(ProviderPayloads.parse("{\"responseMimeType\": \"application/json\"}"));
  }

  @Test
  void promptModeAsksForNoSchemaNatively() {
    JsonNode body =
        translator
            .toUpstream(
                chat(
                    "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Triage\"}]}"),
                schemaContext(ProviderPayloads.parse("{\"type\": \"object\"}"), "prompt"))
            .body();
    assertThat(body.has("generationConfig")).isFalse();
  }

  @Test
  void mediaBecomesInlineDataOrFileData() {
    JsonNode parts =
        translator
            .toUpstream(
                chat(
                    """
                    {"model": "t", "messages": [{"role": "user", "content": [
                      {"type": "text", "text": "What is in these?"},
                      {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}},
                      {"type": "image_url", "image_url": {"url": "https://example.com/chart.png"}},
                      {"type": "input_audio", "input_audio": {"data": "UklGRiQA", "format": "wav"}}
                    ]}]}
                    """),
                context())
            .body()
            .at("/contents/0/parts");

    assertThat(parts.get(1))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"inlineData\": {\"mimeType\": \"image/jpeg\", \"data\": \"/9j/4AAQSkZJRg==\"}}"));
    assertThat(parts.get(2))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"fileData\": {\"mimeType\": \"image/png\", \"fileUri\": \"https://example.com/chart.png\"}}"));
    assertThat(parts.get(3))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"inlineData\": {\"mimeType\": \"audio/wav\", \"data\": \"UklGRiQA\"}}"));
  }

  @Test
  void authHeaderCarriesTheKeyAndNothingElseDoes() {
    String key = "AIzaSyD-SECRET-0123456789abcdefghijk";
    assertThat(translator.authHeaders(key))
        .containsExactly(java.util.Map.entry("x-goog-api-key", key));

    UpstreamRequest request =
        translator.toUpstream(Fixtures.json("chat-request-multi-turn-tools.json"), context());
    assertThat(request.path()).doesNotContain(key).doesNotContain("key=");
    assertThat(request.headers().toString()).doesNotContain(key);
  }
}
