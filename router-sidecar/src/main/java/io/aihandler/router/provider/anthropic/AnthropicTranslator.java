package io.aihandler.router.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.ProviderTranslator;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UnsupportedRequestException;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import java.util.Map;
import java.util.Objects;

/**
 * OpenAI chat completions to Anthropic's Messages API ({@code POST /v1/messages}) and back.
 *
 * <p>Request: system and developer messages become the top-level {@code system}; the rest become
 * user/assistant turns, consecutive turns of one role merged (Anthropic wants them to alternate)
 * and, when the conversation opens with the assistant, a short user turn, {@code "(start of
 * conversation)"}, put first. {@code max_tokens} defaults to the context's {@code
 * defaultMaxTokens}; {@code temperature} is clamped to Anthropic's 0–1; {@code stop} becomes {@code
 * stop_sequences}; tools, {@code tool_choice} and {@code parallel_tool_calls: false} map to their
 * Anthropic forms; tool messages become {@code tool_result} blocks. {@code n > 1}, {@code seed},
 * {@code logprobs}, penalties, {@code logit_bias}, audio, predictions, the deprecated {@code
 * functions} and {@code reasoning_effort} have no equivalent and are refused with an {@link
 * UnsupportedRequestException}. A schema is asked for natively from the context's {@code
 * outputSchema} (see {@link StructuredOutputMode}), or else from a {@code response_format} of type
 * {@code json_schema} as {@code output_config.format}; Anthropic has no plain JSON mode, so {@code
 * json_object} is left to the prompt. {@code store}, {@code metadata}, {@code service_tier} and
 * other OpenAI-only settings are ignored.
 *
 * <p>Response: text blocks become {@code content}, {@code tool_use} blocks {@code tool_calls}
 * (arguments serialised to a JSON string), {@code stop_reason} a {@code finish_reason}; cache reads
 * and writes are folded into {@code prompt_tokens}, as OpenAI counts them.
 */
public final class AnthropicTranslator implements ProviderTranslator {

  /** The Messages API version this translator speaks. */
  public static final String API_VERSION = "2023-06-01";

  /** How a JSON Schema from the context is asked for. */
  public enum StructuredOutputMode {
    /**
     * A single tool whose {@code input_schema} is the schema, forced with {@code tool_choice}; its
     * input is returned as the message content. Works on every Claude model. Used when the schema
     * has an object at its root and the request brings no tools of its own; otherwise {@link
     * #OUTPUT_FORMAT} is used.
     */
    FORCED_TOOL,
    /** {@code output_config.format} of type {@code json_schema}, on models that support it. */
    OUTPUT_FORMAT
  }

  private final StructuredOutputMode structuredOutputMode;

  /** A translator that asks for schemas with a forced tool, which every Claude model supports. */
  public AnthropicTranslator() {
    this(StructuredOutputMode.FORCED_TOOL);
  }

  /** A translator that asks for schemas the given way. */
  public AnthropicTranslator(StructuredOutputMode structuredOutputMode) {
    this.structuredOutputMode =
        Objects.requireNonNull(structuredOutputMode, "structuredOutputMode");
  }

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedRequestException when the request cannot be expressed for Anthropic
   */
  @Override
  public UpstreamRequest toUpstream(ObjectNode chatRequest, TranslationContext context) {
    ObjectNode body = MessagesRequestBuilder.build(chatRequest, context, structuredOutputMode);
    boolean streaming = body.path("stream").asBoolean(false);
    return new UpstreamRequest(
        "/v1/messages",
        Map.of("content-type", "application/json", "anthropic-version", API_VERSION),
        body,
        streaming);
  }

  /**
   * {@inheritDoc}
   *
   * @throws io.aihandler.router.provider.UpstreamStreamException when the body is not an Anthropic
   *     message (status 502, kind {@code SERVER_ERROR})
   */
  @Override
  public ObjectNode toChatCompletion(JsonNode upstreamBody, TranslationContext context) {
    return ChatCompletionFromMessage.translate(
        upstreamBody, context, StructuredOutputPlan.answerToolName(context, structuredOutputMode));
  }

  @Override
  public StreamTranslator newStream(TranslationContext context) {
    return new AnthropicStreamTranslator(
        context, StructuredOutputPlan.answerToolName(context, structuredOutputMode));
  }

  /** {@inheritDoc} Anthropic's 529 {@code overloaded_error} is reported as a retryable 503. */
  @Override
  public UpstreamError toError(int status, String body, Map<String, String> headers) {
    return AnthropicErrorMapping.fromResponse(status, body, headers);
  }

  @Override
  public Map<String, String> authHeaders(String apiKey) {
    return Map.of("x-api-key", apiKey, "anthropic-version", API_VERSION);
  }
}
