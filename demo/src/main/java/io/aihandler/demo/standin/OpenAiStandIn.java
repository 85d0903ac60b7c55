package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import mockwebserver3.MockResponse;
import okhttp3.Headers;

/**
 * api.openai.com: chat completions with {@code response_format} json_schema, embeddings ({@code
 * text-embedding-3-small}, 1,536 dimensions unless the request asks fewer), bearer keys.
 */
public final class OpenAiStandIn extends ProviderStandIn {

  private final String key;

  /**
   * @param key the only key this stand-in accepts
   */
  public OpenAiStandIn(String key) {
    super("OpenAI API");
    this.key = key;
  }

  @Override
  protected boolean isGeneration(String method, String path) {
    return method.equals("POST")
        && (path.equals("/v1/chat/completions") || path.equals("/v1/embeddings"));
  }

  @Override
  protected boolean authorized(Headers headers) {
    return ("Bearer " + key).equals(headers.get("Authorization"));
  }

  @Override
  protected MockResponse unauthorized() {
    // OpenAI's real 401 quotes part of the key; a stand-in need not.
    return json(
        401,
        """
        {"error":{"message":"Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",\
        "type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");
  }

  @Override
  protected MockResponse generate(String path, JsonNode request) {
    if (path.equals("/v1/embeddings")) {
      return new MockResponse.Builder(
              json(
                  200,
                  ScriptedEmbeddings.answer(
                          request,
                          request.path("dimensions").asInt(1536),
                          request.path("model").asText())
                      .toString()))
          .addHeader("x-request-id", "req_9b2d4f6a")
          .build();
    }
    String conversation = ScriptedModel.conversation(request.path("messages"));
    JsonNode schema = request.at("/response_format/json_schema/schema");
    String content =
        schema.isObject()
            ? ScriptedModel.structured(schema, conversation).toString()
            : ScriptedModel.text("gpt-4o", conversation);
    int promptTokens = Math.max(1, conversation.length() / 4);
    int completionTokens = Math.max(1, content.length() / 4);
    return new MockResponse.Builder(
            json(
                200,
                """
        {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":%d,\
        "model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":%s,\
        "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],\
        "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,\
        "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},\
        "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,\
        "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},\
        "service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}"""
                    .formatted(
                        System.currentTimeMillis() / 1000,
                        quote(content),
                        promptTokens,
                        completionTokens,
                        promptTokens + completionTokens)))
        .addHeader("x-request-id", "req_5a8c1b7e")
        .build();
  }

  @Override
  protected MockResponse other(String method, String path) {
    if (method.equals("GET") && path.equals("/v1/models")) {
      return json(
          200,
          """
          {"object":"list","data":[{"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"},\
          {"id":"gpt-4o-2024-08-06","object":"model","created":1722814719,"owned_by":"system"}]}""");
    }
    return json(
        404,
        """
        {"error":{"message":"Invalid URL (%s %s)","type":"invalid_request_error","param":null,"code":null}}"""
            .formatted(method, path));
  }
}
