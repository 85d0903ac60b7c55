package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a backend is asked for schema-conforming output. Output is validated in every mode. */
public enum StructuredOutputMode {
  /** The provider's own structured output (OpenAI json_schema, Anthropic, Gemini schema). */
  @JsonProperty("native")
  NATIVE,
  /** vLLM guided decoding. */
  @JsonProperty("guided")
  GUIDED,
  /** Instructions in the prompt only. */
  @JsonProperty("prompt")
  PROMPT
}
