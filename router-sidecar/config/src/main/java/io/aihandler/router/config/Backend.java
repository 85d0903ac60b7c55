package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One model endpoint (a ModelBackend, resolved).
 *
 * @param name unique name that routes and requests use
 * @param provider the API it speaks
 * @param baseUrl base URL of the API, e.g. {@code http://llama.ml.svc:8000/v1}; default: the
 *     provider's public endpoint; required for vllm, azure-openai and openai-compatible
 * @param model the provider's model id, vLLM's served model name, or Azure's deployment name
 * @param apiVersion azure-openai only: the {@code api-version} query parameter
 * @param locality where it runs; default in-cluster for vllm, external otherwise
 * @param pricing prices for cost reporting and the lowest-cost strategy
 * @param capabilities what the model can do
 * @param limits per-sidecar limits on traffic to this backend
 * @param credentials where the API key is; none for endpoints that need no key
 * @param defaultMaxTokens output token limit sent when a request sets none and the provider needs
 *     one (Anthropic); default 4096
 * @param capacity in-cluster backends the operator manages: whether a replica is ready; null means
 *     always ready
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Backend(
    String name,
    Provider provider,
    String baseUrl,
    String model,
    String apiVersion,
    Locality locality,
    Pricing pricing,
    Capabilities capabilities,
    Limits limits,
    Credentials credentials,
    Integer defaultMaxTokens,
    Capacity capacity) {

  public Backend {
    if (locality == null && provider != null) {
      locality = provider == Provider.VLLM ? Locality.IN_CLUSTER : Locality.EXTERNAL;
    }
    capabilities = capabilities == null ? Capabilities.defaults() : capabilities;
    if (capabilities.structuredOutput() == null && provider != null) {
      capabilities =
          capabilities.withStructuredOutput(
              provider == Provider.VLLM
                  ? StructuredOutputMode.GUIDED
                  : StructuredOutputMode.NATIVE);
    }
    defaultMaxTokens = defaultMaxTokens == null ? 4096 : defaultMaxTokens;
  }

  /** Whether the backend has a ready replica now, as far as the config says. */
  public boolean ready() {
    return capacity == null || capacity.ready();
  }

  /**
   * The vector space of this backend's embeddings: the declared one, or its model's name; null when
   * it serves no embeddings.
   */
  public String embeddingVectorSpace() {
    EmbeddingCapability e = capabilities.embeddings();
    if (e == null) {
      return null;
    }
    return e.vectorSpace() != null ? e.vectorSpace() : model;
  }

  /** The base URL to call: the configured one or the provider's public endpoint. */
  public String effectiveBaseUrl() {
    if (baseUrl != null) {
      return baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }
    return switch (provider) {
      case OPENAI -> "https://api.openai.com/v1";
      case ANTHROPIC -> "https://api.anthropic.com";
      case GEMINI -> "https://generativelanguage.googleapis.com";
      default -> throw new IllegalStateException("backend " + name + " has no baseUrl");
    };
  }
}
