package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The API a backend speaks. */
public enum Provider {
  /** A vLLM server (OpenAI-compatible chat completions, guided decoding). */
  @JsonProperty("vllm")
  VLLM,
  @JsonProperty("openai")
  OPENAI,
  @JsonProperty("anthropic")
  ANTHROPIC,
  @JsonProperty("gemini")
  GEMINI,
  @JsonProperty("azure-openai")
  AZURE_OPENAI,
  /** Any other server speaking OpenAI chat completions. */
  @JsonProperty("openai-compatible")
  OPENAI_COMPATIBLE;

  /** The name used in the document, e.g. {@code azure-openai}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
