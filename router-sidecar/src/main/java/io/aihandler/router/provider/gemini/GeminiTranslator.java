package io.aihandler.router.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.ProviderTranslator;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UnsupportedRequestException;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * OpenAI chat completions to Gemini's generateContent API ({@code POST
 * /v1beta/models/{model}:generateContent}, streaming {@code :streamGenerateContent?alt=sse}) and
 * back.
 *
 * <p>Request: system and developer messages become {@code systemInstruction}; user and assistant
 * messages become {@code user} and {@code model} contents, consecutive ones of a role merged;
 * assistant tool calls become {@code functionCall} parts and tool messages {@code functionResponse}
 * parts whose function name is recovered from the call with the same id. Sampling settings, {@code
 * stop} and {@code seed} go to {@code generationConfig}; a schema (the context's, else the
 * request's {@code json_schema}) to {@code responseJsonSchema} with the JSON MIME type. {@code n >
 * 1}, {@code logprobs}, {@code logit_bias}, audio output, predictions, the deprecated {@code
 * functions} and {@code reasoning_effort} are refused with a {@link UnsupportedRequestException}.
 * {@code parallel_tool_calls} has no Gemini setting and is not sent.
 *
 * <p>Thought signatures: a {@code functionCall}'s {@code thoughtSignature} is returned on the tool
 * call as {@code extra_content.google.thought_signature}, the field Google's own OpenAI-compatible
 * API uses, and sent back from there. When a client drops it, Gemini 3 and later get Google's
 * documented placeholder, since they refuse a function call in the history without a signature.
 *
 * <p>Response: text parts (not thoughts) become {@code content}, {@code functionCall} parts {@code
 * tool_calls} with ids made from the response id; safety, recitation and blocked prompts become
 * {@code content_filter}; thinking tokens count as completion tokens.
 */
public final class GeminiTranslator implements ProviderTranslator {

  private static final EmbeddingTranslator EMBEDDINGS = new GeminiEmbeddings();

  /** Creates the translator; it keeps no state between requests. */
  public GeminiTranslator() {}

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedRequestException when the request cannot be expressed for Gemini
   */
  @Override
  public UpstreamRequest toUpstream(ObjectNode chatRequest, TranslationContext context) {
    ObjectNode body = GenerateContentRequestBuilder.build(chatRequest, context);
    boolean streaming = chatRequest.path("stream").asBoolean(false);
    String model =
        context.model().startsWith("models/") ? context.model().substring(7) : context.model();
    String path =
        "/v1beta/models/"
            + URLEncoder.encode(model, StandardCharsets.UTF_8)
            + (streaming ? ":streamGenerateContent?alt=sse" : ":generateContent");
    return new UpstreamRequest(path, Map.of("content-type", "application/json"), body, streaming);
  }

  /**
   * {@inheritDoc}
   *
   * @throws io.aihandler.router.provider.UpstreamStreamException when the body is not a usable
   *     GenerateContentResponse (status 502, kind {@code SERVER_ERROR})
   */
  @Override
  public ObjectNode toChatCompletion(JsonNode upstreamBody, TranslationContext context) {
    return ChatCompletionFromGenerateContent.translate(upstreamBody, context);
  }

  @Override
  public StreamTranslator newStream(TranslationContext context) {
    return new GeminiStreamTranslator(context);
  }

  /** {@inheritDoc} A key Google rejects as {@code API_KEY_INVALID} is reported as a 401. */
  @Override
  public UpstreamError toError(int status, String body, Map<String, String> headers) {
    return GeminiErrorMapping.fromResponse(status, body, headers);
  }

  @Override
  public EmbeddingTranslator embeddings() {
    return EMBEDDINGS;
  }

  @Override
  public Map<String, String> authHeaders(String apiKey) {
    return Map.of("x-goog-api-key", apiKey);
  }
}
