package io.aihandler.router.provider.anthropic;

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

class AnthropicResponseTranslationTest {

  private final AnthropicTranslator translator = new AnthropicTranslator();
  private final TranslationContext context = AnthropicRequestTranslationTest.context();

  @Test
  void textMessageBecomesAChatCompletion() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("message-text.json"), context);

    assertThat(ProviderPayloads.wire(completion))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"id": "chatcmpl-a1b2c3", "object": "chat.completion", "created": 1735689600,
                 "model": "support-triage",
                 "choices": [{"index": 0,
                   "message": {"role": "assistant", "content": "Hello! How can I help you today?", "refusal": null},
                   "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 12, "completion_tokens": 10, "total_tokens": 22,
                           "prompt_tokens_details": {"cached_tokens": 0}}}
                """));
  }

  @Test
  void toolUseBecomesToolCallsWithArgumentsAsAJsonStringAndCacheTokensCountAsPrompt() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("message-tool-use.json"), context);

    JsonNode choice = completion.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.at("/message/content").asText())
        .isEqualTo("I'll check the current weather in San Francisco for you.");
    JsonNode call = choice.at("/message/tool_calls/0");
    assertThat(call.get("id").asText()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
    assertThat(call.get("type").asText()).isEqualTo("function");
    assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
    assertThat(call.at("/function/arguments").isTextual()).isTrue();
    assertThat(ProviderPayloads.parse(call.at("/function/arguments").asText()))
        .isEqualTo(
            ProviderPayloads.parse("{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}"));

    // 100 uncached + 2000 cache reads + 300 cache writes, as OpenAI would count them.
    assertThat(ProviderPayloads.wire(completion.get("usage")))
        .isEqualTo(
            ProviderPayloads.parse(
                """
                {"prompt_tokens": 2400, "completion_tokens": 55, "total_tokens": 2455,
                 "prompt_tokens_details": {"cached_tokens": 2000}}
                """));
  }

  @Test
  void forcedAnswerToolIsUnwrappedIntoTheMessageContent() {
    TranslationContext schemaContext =
        AnthropicRequestTranslationTest.schemaContext(
            ProviderPayloads.parse("{\"type\": \"object\"}"), "native");

    ObjectNode completion =
        translator.toChatCompletion(
            Fixtures.json("message-forced-tool-answer.json"), schemaContext);

    JsonNode choice = completion.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.get("message").has("tool_calls")).isFalse();
    assertThat(ProviderPayloads.parse(choice.at("/message/content").asText()))
        .isEqualTo(
            ProviderPayloads.parse(
                "{\"category\": \"billing\", \"priority\": 2, \"summary\": \"Customer was charged twice\"}"));
  }

  @Test
  void withoutASchemaTheSameToolUseStaysAToolCall() {
    ObjectNode completion =
        translator.toChatCompletion(Fixtures.json("message-forced-tool-answer.json"), context);

    JsonNode choice = completion.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.at("/message/content").isNull()).isTrue();
    assertThat(choice.at("/message/tool_calls/0/function/name").asText())
        .isEqualTo("ticket_triage");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "end_turn, stop",
    "stop_sequence, stop",
    "max_tokens, length",
    "tool_use, tool_calls",
    "refusal, content_filter",
    "pause_turn, stop"
  })
  void stopReasonsMapToFinishReasons(String stopReason, String finishReason) {
    ObjectNode message = Fixtures.json("message-text.json");
    message.put("stop_reason", stopReason);

    assertThat(
            translator.toChatCompletion(message, context).at("/choices/0/finish_reason").asText())
        .isEqualTo(finishReason);
  }

  @Test
  void bodyThatIsNotAMessageIsABadUpstreamResponse() {
    assertThatThrownBy(
            () ->
                translator.toChatCompletion(
                    ProviderPayloads.parse("{\"type\": \"message\"}"), context))
        .isInstanceOfSatisfying(
            UpstreamStreamException.class,
            e -> {
              assertThat(e.error().kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
              assertThat(e.error().status()).isEqualTo(502);
            });
  }

  @Test
  void overloadedIsAServerErrorReportedAs503() {
    UpstreamError error = translator.toError(529, Fixtures.text("error-overloaded.json"), Map.of());

    assertThat(error)
        .isEqualTo(
            new UpstreamError(
                503,
                UpstreamError.Kind.SERVER_ERROR,
                "server_error",
                "overloaded_error",
                "Overloaded",
                null));
  }

  @Test
  void rateLimitCarriesRetryAfter() {
    UpstreamError error =
        translator.toError(
            429,
            Fixtures.text("error-rate-limit.json"),
            Map.of("retry-after", "20", "request-id", "req_1"));

    assertThat(error.status()).isEqualTo(429);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.RATE_LIMITED);
    assertThat(error.type()).isEqualTo("rate_limit_error");
    assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(error.message()).startsWith("This request would exceed the rate limit");
  }

  @Test
  void badKeyIsAnAuthenticationError() {
    UpstreamError error =
        translator.toError(401, Fixtures.text("error-authentication.json"), Map.of());

    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.AUTHENTICATION);
    assertThat(error.type()).isEqualTo("authentication_error");
    assertThat(error.message()).isEqualTo("invalid x-api-key");
  }

  @Test
  void invalidRequestIsAClientErrorWithTheProvidersMessage() {
    UpstreamError error =
        translator.toError(400, Fixtures.text("error-invalid-request.json"), Map.of());

    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.code()).isEqualTo("invalid_request_error");
    assertThat(error.message()).contains("roles must alternate");
  }

  @Test
  void nonJsonErrorBodyStillGivesAnErrorByStatus() {
    UpstreamError error =
        translator.toError(
            502, "<html><body>Bad Gateway</body></html>", Map.of("retry-after", "oops"));

    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(error.status()).isEqualTo(502);
    assertThat(error.message()).isEqualTo("Anthropic answered HTTP 502");
    assertThat(error.retryAfter()).isNull();
  }
}
