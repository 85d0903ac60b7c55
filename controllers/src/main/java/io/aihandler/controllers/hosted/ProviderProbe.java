package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedProvider;
import io.aihandler.api.v1alpha1.HostedSpec;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cheapest authenticated call a provider offers, used to check a key: listing models. It costs
 * no tokens and fails with 401/403 on a bad key.
 *
 * <ul>
 *   <li>OpenAI and OpenAI-compatible: {@code GET {base}/models}, {@code Authorization: Bearer}
 *   <li>Anthropic: {@code GET {base}/v1/models}, {@code x-api-key} and {@code anthropic-version:
 *       2023-06-01}
 *   <li>Gemini: {@code GET {base}/v1beta/models}, {@code x-goog-api-key} (in a header, never in the
 *       URL, so the key stays out of access logs)
 *   <li>Azure OpenAI: {@code GET {endpoint}/openai/models?api-version=...}, {@code api-key}
 * </ul>
 *
 * @param uri the URL to call; holds no secret
 * @param headers request headers, one of which carries the key; never printed
 */
public record ProviderProbe(URI uri, Map<String, String> headers) {

  /** The Anthropic API version sent with every request, as Anthropic's API requires. */
  public static final String ANTHROPIC_VERSION = "2023-06-01";

  /**
   * The Azure OpenAI api-version used when the backend names none: the GA version listing models.
   */
  public static final String DEFAULT_AZURE_API_VERSION = "2024-10-21";

  public ProviderProbe {
    headers = Map.copyOf(headers);
  }

  /**
   * The probe for a backend.
   *
   * @param hosted the backend's spec
   * @param key its key, or null for an endpoint that needs none
   * @param endpoints default base URLs
   */
  public static ProviderProbe of(HostedSpec hosted, ApiKey key, ProviderEndpoints endpoints) {
    String base = endpoints.baseUrl(hosted);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    HostedProvider provider = hosted.provider();
    String url =
        switch (provider) {
          case OPENAI, OPENAI_COMPATIBLE -> base + "/models";
          case ANTHROPIC -> base + "/v1/models";
          case GEMINI -> base + "/v1beta/models";
          case AZURE_OPENAI ->
              base
                  + "/openai/models?api-version="
                  + URLEncoder.encode(
                      hosted.apiVersion() == null ? DEFAULT_AZURE_API_VERSION : hosted.apiVersion(),
                      StandardCharsets.UTF_8);
        };
    if (key != null) {
      switch (provider) {
        case OPENAI, OPENAI_COMPATIBLE ->
            headers.put("Authorization", "Bearer " + key.headerValue());
        case ANTHROPIC -> {
          headers.put("x-api-key", key.headerValue());
          headers.put("anthropic-version", ANTHROPIC_VERSION);
        }
        case GEMINI -> headers.put("x-goog-api-key", key.headerValue());
        case AZURE_OPENAI -> headers.put("api-key", key.headerValue());
      }
    } else if (provider == HostedProvider.ANTHROPIC) {
      headers.put("anthropic-version", ANTHROPIC_VERSION);
    }
    return new ProviderProbe(URI.create(url), headers);
  }

  /** The method and URL, for conditions and logs. */
  public String describe() {
    return "GET " + uri;
  }

  @Override
  public String toString() {
    return "ProviderProbe[" + describe() + ", headers=" + headers.keySet() + "]";
  }
}
