package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import okhttp3.Headers;

/**
 * The in-cluster vLLM server of a ModelBackend: its OpenAI-compatible chat completions (guided
 * decoding through {@code structured_outputs}) or, for an embedding model run as a pooling model,
 * its {@code /v1/embeddings}; {@code /health} and the Prometheus {@code /metrics} the operator's
 * autoscaler reads. No key: the Service is reached inside the cluster.
 */
public final class VllmStandIn extends ProviderStandIn {

  private final String servedModelName;
  private final int embeddingDimensions;
  private final AtomicInteger invalidAnswersToGive = new AtomicInteger();
  // False while the pod it plays is loading its model or does not exist.
  private volatile boolean serving = true;

  /** A chat model. */
  public VllmStandIn(String servedModelName) {
    this(servedModelName, 0);
  }

  private VllmStandIn(String servedModelName, int embeddingDimensions) {
    super("vLLM serving " + servedModelName);
    this.servedModelName = servedModelName;
    this.embeddingDimensions = embeddingDimensions;
  }

  /** An embedding model: it serves {@code /v1/embeddings} and no chat. */
  public static VllmStandIn embedding(String servedModelName, int dimensions) {
    return new VllmStandIn(servedModelName, dimensions);
  }

  /**
   * The next {@code count} structured answers break their schema, as a real model sometimes does.
   */
  public void answerInvalidlyNext(int count) {
    invalidAnswersToGive.set(count);
  }

  /**
   * Whether the pod this plays serves: while it loads its model (or no pod exists) vLLM answers
   * nothing, so every request, {@code /health} included, gets 503.
   */
  public void serving(boolean serving) {
    this.serving = serving;
  }

  @Override
  protected boolean isGeneration(String method, String path) {
    return method.equals("POST")
        && path.equals(embeddingDimensions > 0 ? "/v1/embeddings" : "/v1/chat/completions");
  }

  @Override
  protected boolean authorized(Headers headers) {
    return true;
  }

  @Override
  protected MockResponse unauthorized() {
    return json(401, "{\"error\":\"Unauthorized\"}");
  }

  @Override
  protected MockResponse generate(String path, JsonNode request) {
    if (!serving) {
      return notServing();
    }
    if (!servedModelName.equals(request.path("model").asText())) {
      return json(
          404,
          """
          {"object":"error","message":"The model `%s` does not exist.","type":"NotFoundError","param":null,"code":404}"""
              .formatted(request.path("model").asText()));
    }
    if (embeddingDimensions > 0) {
      ObjectNode answer =
          ScriptedEmbeddings.answer(
              request, request.path("dimensions").asInt(embeddingDimensions), servedModelName);
      // vLLM's own answer carries an id, a creation time and a completion count of zero.
      answer.put("id", "embd-3c8e0b6f1d2a4e57b9c0a1d2e3f40516");
      answer.put("created", System.currentTimeMillis() / 1000);
      ((ObjectNode) answer.get("usage"))
          .put("completion_tokens", 0)
          .putNull("prompt_tokens_details");
      return json(200, answer.toString());
    }
    String conversation = ScriptedModel.conversation(request.path("messages"));
    JsonNode schema = request.at("/structured_outputs/json");
    if (schema.isMissingNode()) {
      schema = request.at("/response_format/json_schema/schema");
    }
    String content;
    if (schema.isObject()) {
      boolean invalid = invalidAnswersToGive.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      content =
          (invalid
                  ? ScriptedModel.invalidClassification(conversation)
                  : ScriptedModel.structured(schema, conversation))
              .toString();
    } else {
      content = ScriptedModel.text(servedModelName, conversation);
    }
    int promptTokens = Math.max(1, conversation.length() / 4);
    int completionTokens = Math.max(1, content.length() / 4);
    return json(
        200,
        """
        {"id":"chatcmpl-8d1f6a3c2b7e4f0aa1c9e2d3b4a5f607","object":"chat.completion","created":%d,\
        "model":"%s","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":null,\
        "content":%s,"tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],\
        "usage":{"prompt_tokens":%d,"total_tokens":%d,"completion_tokens":%d,"prompt_tokens_details":null},\
        "prompt_logprobs":null,"kv_transfer_params":null}"""
            .formatted(
                System.currentTimeMillis() / 1000,
                servedModelName,
                quote(content),
                promptTokens,
                promptTokens + completionTokens,
                completionTokens));
  }

  @Override
  protected MockResponse other(String method, String path) {
    if (!serving) {
      return notServing();
    }
    return switch (path) {
      case "/health" -> new MockResponse.Builder().code(200).build();
      case "/metrics" ->
          new MockResponse.Builder()
              .code(200)
              .addHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
              .body(metrics())
              .build();
      case "/v1/models" ->
          json(
              200,
              """
          {"object":"list","data":[{"id":"%s","object":"model","created":1741570000,"owned_by":"vllm",\
          "root":"meta-llama/Llama-3.3-70B-Instruct","parent":null,"max_model_len":32768}]}"""
                  .formatted(servedModelName));
      default -> json(404, "{\"detail\":\"Not Found\"}");
    };
  }

  private static MockResponse notServing() {
    return json(503, "{\"detail\":\"Service Unavailable\"}");
  }

  private String metrics() {
    String label = "{engine=\"0\",model_name=\"" + servedModelName + "\"}";
    return """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running%1$s 0.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting%1$s 0.0
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc%1$s 0.02
        """
        .formatted(label);
  }
}
