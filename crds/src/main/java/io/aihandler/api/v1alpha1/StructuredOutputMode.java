package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a backend can be asked for output that matches a JSON Schema. */
public enum StructuredOutputMode {
  /** The provider's own structured-output feature (OpenAI json_schema, Anthropic, Gemini). */
  @JsonProperty("native")
  NATIVE,
  /** Guided decoding that constrains tokens to the schema (vLLM structured outputs). */
  @JsonProperty("guided")
  GUIDED,
  /** Only instructions in the prompt; the output is still validated afterwards. */
  @JsonProperty("prompt")
  PROMPT
}
