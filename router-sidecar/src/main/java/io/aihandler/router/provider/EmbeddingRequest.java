package io.aihandler.router.provider;

import java.util.List;

/**
 * An embeddings request as the sidecar accepted it, checked and ready for any provider: exactly one
 * of {@code texts} and {@code tokens} is set, neither empty.
 *
 * @param texts the input strings, in order
 * @param tokens the input token arrays, in order
 * @param dimensions the vector length asked for, or null for the model's own
 * @param user the end user's id for the provider's abuse monitoring, or null
 */
public record EmbeddingRequest(
    List<String> texts, List<int[]> tokens, Integer dimensions, String user) {

  public EmbeddingRequest {
    if ((texts == null) == (tokens == null)) {
      throw new IllegalArgumentException("an embeddings request has either texts or tokens");
    }
    texts = texts == null ? null : List.copyOf(texts);
    tokens = tokens == null ? null : List.copyOf(tokens);
  }

  /** How many vectors the request asks for. */
  public int inputs() {
    return texts != null ? texts.size() : tokens.size();
  }

  /** Whether the inputs are token ids rather than text. */
  public boolean isTokens() {
    return tokens != null;
  }
}
