package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import mockwebserver3.MockResponse;
import okhttp3.Headers;

/**
 * The Gemini API: {@code POST /v1beta/models/{model}:generateContent} with the key in {@code
 * x-goog-api-key}, {@code systemInstruction}, {@code contents} and the JSON Schema in {@code
 * generationConfig.responseJsonSchema}.
 */
public final class GeminiStandIn extends ProviderStandIn {

  private final String key;

  /**
   * @param key the only key this stand-in accepts
   */
  public GeminiStandIn(String key) {
    super("Gemini API");
    this.key = key;
  }

  @Override
  protected boolean isGeneration(String method, String path) {
    return method.equals("POST")
        && path.startsWith("/v1beta/models/")
        && path.endsWith(":generateContent");
  }

  @Override
  protected boolean authorized(Headers headers) {
    return key.equals(headers.get("x-goog-api-key"));
  }

  @Override
  protected MockResponse unauthorized() {
    return json(
        400,
        """
        {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",\
        "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",\
        "domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}""");
  }

  @Override
  protected MockResponse generate(String path, JsonNode request) {
    StringBuilder conversation = new StringBuilder();
    request
        .at("/systemInstruction/parts")
        .forEach(p -> conversation.append(p.path("text").asText("")).append('\n'));
    request
        .path("contents")
        .forEach(
            c ->
                c.path("parts")
                    .forEach(p -> conversation.append(p.path("text").asText("")).append('\n')));
    JsonNode schema = request.at("/generationConfig/responseJsonSchema");
    if (schema.isMissingNode()) {
      schema = request.at("/generationConfig/responseSchema");
    }
    String model =
        path.substring("/v1beta/models/".length(), path.length() - ":generateContent".length());
    String text =
        schema.isObject()
            ? ScriptedModel.structured(schema, conversation.toString()).toString()
            : ScriptedModel.text(model, conversation.toString());
    int promptTokens = Math.max(1, conversation.length() / 4);
    int candidateTokens = Math.max(1, text.length() / 4);
    return json(
        200,
        """
        {"candidates":[{"content":{"parts":[{"text":%s}],"role":"model"},"finishReason":"STOP","index":0}],\
        "usageMetadata":{"promptTokenCount":%d,"candidatesTokenCount":%d,"totalTokenCount":%d,\
        "promptTokensDetails":[{"modality":"TEXT","tokenCount":%d}]},\
        "modelVersion":"%s","responseId":"mQdhaNm5ILeV1dkP4IqJuAk"}"""
            .formatted(
                quote(text),
                promptTokens,
                candidateTokens,
                promptTokens + candidateTokens,
                promptTokens,
                model));
  }

  @Override
  protected MockResponse other(String method, String path) {
    if (method.equals("GET") && path.equals("/v1beta/models")) {
      return json(
          200,
          """
          {"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash",\
          "inputTokenLimit":1048576,"outputTokenLimit":65536,\
          "supportedGenerationMethods":["generateContent","countTokens","createCachedContent","batchGenerateContent"]}]}""");
    }
    return json(
        404,
        """
        {"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}""");
  }
}
