package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedSpec;
import java.util.Objects;

/**
 * The public base URLs of the providers that have one. A backend's own {@code spec.hosted.baseUrl}
 * always wins; these are the defaults, replaceable as a whole so tests and air-gapped installations
 * can point them at a stand-in.
 *
 * @param openai OpenAI's API base, including {@code /v1}
 * @param anthropic Anthropic's API host; paths start with {@code /v1}
 * @param gemini the Gemini API host; paths start with {@code /v1beta}
 */
public record ProviderEndpoints(String openai, String anthropic, String gemini) {

  /** The providers' real endpoints. */
  public static final ProviderEndpoints PUBLIC =
      new ProviderEndpoints(
          "https://api.openai.com/v1",
          "https://api.anthropic.com",
          "https://generativelanguage.googleapis.com");

  public ProviderEndpoints {
    Objects.requireNonNull(openai, "openai");
    Objects.requireNonNull(anthropic, "anthropic");
    Objects.requireNonNull(gemini, "gemini");
  }

  /** Every provider at one base URL (a test server playing all of them). */
  public static ProviderEndpoints allAt(String baseUrl) {
    String base = withoutTrailingSlash(baseUrl);
    return new ProviderEndpoints(base + "/v1", base, base);
  }

  /**
   * The base URL calls to this backend start from, without a trailing slash: the spec's, or the
   * provider's default. Empty only for azure-openai and openai-compatible without a baseUrl, which
   * the CRD refuses.
   */
  public String baseUrl(HostedSpec hosted) {
    if (hosted.baseUrl() != null && !hosted.baseUrl().isBlank()) {
      return withoutTrailingSlash(hosted.baseUrl());
    }
    return switch (hosted.provider()) {
      case OPENAI -> withoutTrailingSlash(openai);
      case ANTHROPIC -> withoutTrailingSlash(anthropic);
      case GEMINI -> withoutTrailingSlash(gemini);
      case AZURE_OPENAI, OPENAI_COMPATIBLE -> "";
    };
  }

  private static String withoutTrailingSlash(String url) {
    String result = url;
    while (result.endsWith("/")) {
      result = result.substring(0, result.length() - 1);
    }
    return result;
  }
}
