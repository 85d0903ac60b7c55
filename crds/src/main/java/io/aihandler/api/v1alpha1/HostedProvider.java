package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The API a hosted backend speaks, which decides its wire format and authentication. */
public enum HostedProvider {
  /** OpenAI chat completions, bearer token. */
  @JsonProperty("openai")
  OPENAI,
  /** Anthropic Messages, x-api-key header. */
  @JsonProperty("anthropic")
  ANTHROPIC,
  /** Google Gemini generateContent, x-goog-api-key header. */
  @JsonProperty("gemini")
  GEMINI,
  /** Azure OpenAI, api-key header; model names the deployment. */
  @JsonProperty("azure-openai")
  AZURE_OPENAI,
  /** Any other OpenAI-compatible endpoint (a private vLLM, TGI, a gateway); bearer token. */
  @JsonProperty("openai-compatible")
  OPENAI_COMPATIBLE
}
