package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a backend's model can do.
 *
 * @param contextWindow context window in tokens, or null when unknown
 * @param structuredOutput how to ask for schema-conforming output; default guided for vllm,
 *     native otherwise
 * @param tools whether the model supports tool calling; default true
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Capabilities(
    Integer contextWindow, StructuredOutputMode structuredOutput, Boolean tools) {

  public Capabilities {
    tools = tools == null || tools;
  }
}
