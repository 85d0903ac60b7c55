package io.aihandler.router.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamStreamException;
import io.aihandler.router.testing.ProviderPayloads;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeminiResponseTranslationTest {

  private final GeminiTranslator translator = new GeminiTranslator();
  private final TranslationContext context = GeminiRequestTranslationTest.context();

  @Test
  void textResponseBecomesAChatCompletionWithThoughtsCountedAsCompletionTokens() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("response-text.json"), context);

    assertThat(ProviderPayloads.wire(completion))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"id": "chatcmpl-g3m1n1", "object": "chat.completion", "created": 1735689600,
                 "model": "support-triage",
                 "choices": [{"index": 0,
                   "message": {"role": "assistant", "content": "Paris is warmer than Berlin today.", "refusal": null},
                   "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 1040, "completion_tokens": 239, "total_tokens": 1279,
                           "prompt_tokens_details": {"cached_tokens": 1000},
                           "completion_tokens_details": {"reasoning_tokens": 230}}}
                """));
  }

  @Test
  void functionCallsBecomeToolCallsWithStableIdsAndTheirThoughtSignature() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("response-function-call.json"), context);

    JsonNode choice = completion.at("/choices/0");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.at("/message/content").isNull()).isTrue();
    assertThat(ProviderPayloads.wire(choice.at("/message/tool_calls")))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                [{"id": "call_g3m1n1_0", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"location\\":\\"Paris, FR\\"}"},
                  "extra_content": {"google": {"thought_signature": "CiQB0e2Kb3dRh8m9ZKe5kqGv6s5Q"}}},
                 {"id": "call_g3m1n1_1", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"location\\":\\"Berlin, DE\\"}"}}]
                """));
    assertThat(translator.toChatCompletion(Fixtures.json("response-function-call.json"), context))
        .isEqualTo(completion);
  }

  @Test
  void toolCallsSentBackCarryTheSignatureAndRecoverTheFunctionName() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("response-function-call.json"), context);
    ObjectNode request =
        (ObjectNode)
            ProviderPayloads.parse(
                "{\"model\": \"t\", \"messages\": [{\"role\": \"user\", \"content\": \"Weather?\"}]}");
    ObjectNode assistant = (ObjectNode) completion.at("/choices/0/message").deepCopy();
    request.withArray("messages").add(assistant);
    request
        .withArray("messages")
        .addObject()
        .put("role", "tool")
        .put("tool_call_id", "call_g3m1n1_1")
        .put("content", "12C");
    request
        .withArray("messages")
        .addObject()
        .put("role", "tool")
        .put("tool_call_id", "call_g3m1n1_0")
        .put("content", "15C");

    JsonNode contents =
        translator
            .toUpstream(request, GeminiRequestTranslationTest.context("gemini-3-flash-preview"))
            .body()
            .get("contents");

    assertThat(contents.at("/1/parts/0/thoughtSignature").asText())
        .isEqualTo("CiQB0e2Kb3dRh8m9ZKe5kqGv6s5Q");
    assertThat(contents.at("/1/parts/1/thoughtSignature").isMissingNode()).isTrue();
    assertThat(contents.at("/2/parts").findValuesAsText("name"))
        .containsExactly("get_weather", "get_weather");
    assertThat(contents.at("/2/parts/0/functionResponse/response/result").asText())
        .isEqualTo("12C");
  }

  @Test
  void blockedPromptIsAContentFilterFinish() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("response-blocked-prompt.json"), context);

    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("content_filter");
    assertThat(completion.at("/choices/0/message/content").isNull()).isTrue();
    assertThat(completion.at("/usage/prompt_tokens").asLong()).isEqualTo(12);
  }

  @Test
  void safetyFinishWithoutContentIsAContentFilterFinish() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("response-safety-finish.json"), context);

    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("content_filter");
    assertThat(completion.at("/choices/0/message/content").isNull()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "STOP, stop",
    "MAX_TOKENS, length",
    "SAFETY, content_filter",
    "RECITATION, content_filter",
    "BLOCKLIST, content_filter",
    "PROHIBITED_CONTENT, content_filter",
    "SPII, content_filter",
    "OTHER, stop"
  })
  void finishReasonsMapToOpenAi(String gemini, String openAi) {
    ObjectNode response = Fixtures.json("response-text.json");
    ((ObjectNode) response.at("/candidates/0")).put("finishReason", gemini);

    assertThat(
            translator.toChatCompletion(response, context).at("/choices/0/finish_reason").asText())
        .isEqualTo(openAi);
  }

  @Test
  void responseWithoutCandidatesOrReasonIsABadUpstreamResponse() {
    assertThatThrownBy(
            () ->
                translator.toChatCompletion(
                    ProviderPayloads.parse("{\"modelVersion\": \"x\"}"), context))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR));
  }

  @Test
  void quotaExhaustionIsRateLimitedWithGooglesRetryDelay() {
    UpstreamError error = translator.toError(429, Fixtures.text("error-rate-limit.json"), Map.of());

    assertThat(error.status()).isEqualTo(429);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.RATE_LIMITED);
    assertThat(error.code()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(37));
    assertThat(error.message()).startsWith("You exceeded your current quota");
  }

  @Test
  void retryAfterHeaderWinsOverTheBodysDelay() {
    UpstreamError error =
        translator.toError(429, Fixtures.text("error-rate-limit.json"), Map.of("retry-after", "5"));
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void invalidApiKeyReportedAs400IsAnAuthenticationError() {
    UpstreamError error =
        translator.toError(400, Fixtures.text("error-api-key-invalid.json"), Map.of());

    assertThat(error.status()).isEqualTo(401);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.AUTHENTICATION);
    assertThat(error.message()).isEqualTo("API key not valid. Please pass a valid API key.");
  }

  @Test
  void invalidArgumentIsAClientError() {
    UpstreamError error =
        translator.toError(400, Fixtures.text("error-invalid-argument.json"), Map.of());

    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.code()).isEqualTo("INVALID_ARGUMENT");
  }

  @Test
  void unavailableIsARetryableServerErrorEvenWhenWrappedInAnArray() {
    UpstreamError error =
        translator.toError(503, "[" + Fixtures.text("error-unavailable.json") + "]", Map.of());

    assertThat(error)
        .isEqualTo(
            new UpstreamError(
                503,
                UpstreamError.Kind.SERVER_ERROR,
                "server_error",
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
                null));
  }
}
