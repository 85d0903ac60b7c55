package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a backend's model can do.
 *
 * @param contextWindow context window in tokens, or null when unknown
 * @param structuredOutput how to ask for schema-conforming output; default guided for vllm, native
 *     otherwise
 * @param tools whether the model supports tool calling; default true
 * @param chat whether the model generates text (chat completions and responses); default true,
 *     false for an embedding-only model
 * @param embeddings the vectors the backend serves on {@code /v1/embeddings}, or null when it
 *     serves none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Capabilities(
    Integer contextWindow,
    StructuredOutputMode structuredOutput,
    Boolean tools,
    Boolean chat,
    EmbeddingCapability embeddings) {

  public Capabilities {
    tools = tools == null || tools;
    chat = chat == null || chat;
  }

  /** Capabilities with only the defaults. */
  public static Capabilities defaults() {
    return new Capabilities(null, null, null, null, null);
  }

  /** These capabilities with another structured-output mode. */
  public Capabilities withStructuredOutput(StructuredOutputMode mode) {
    return new Capabilities(contextWindow, mode, tools, chat, embeddings);
  }

  /** Whether the backend serves {@code /v1/embeddings}. */
  public boolean servesEmbeddings() {
    return embeddings != null;
  }
}
