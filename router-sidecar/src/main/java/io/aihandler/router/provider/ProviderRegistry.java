package io.aihandler.router.provider;

import io.aihandler.router.config.Backend;
import io.aihandler.router.provider.anthropic.AnthropicTranslator;
import io.aihandler.router.provider.gemini.GeminiTranslator;
import io.aihandler.router.provider.openai.OpenAiTranslator;
import io.aihandler.router.provider.openai.OpenAiTranslator.Flavor;

/** Picks the translator of a backend by its provider. */
public final class ProviderRegistry {

  private ProviderRegistry() {}

  /**
   * The translator for a backend.
   *
   * @throws UnsupportedOperationException when this build has no translator for the provider
   */
  public static ProviderTranslator translatorFor(Backend backend) {
    return switch (backend.provider()) {
      case OPENAI -> new OpenAiTranslator(Flavor.OPENAI, null);
      case VLLM -> new OpenAiTranslator(Flavor.VLLM, null);
      case AZURE_OPENAI -> new OpenAiTranslator(Flavor.AZURE, backend.apiVersion());
      case OPENAI_COMPATIBLE -> new OpenAiTranslator(Flavor.COMPATIBLE, null);
      case ANTHROPIC -> new AnthropicTranslator();
      case GEMINI -> new GeminiTranslator();
    };
  }
}
