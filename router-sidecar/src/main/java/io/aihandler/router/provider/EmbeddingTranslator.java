package io.aihandler.router.provider;

/**
 * Translates an embeddings request to one provider's API and its answer back. Pure, like {@link
 * ProviderTranslator}: no I/O, no clocks, no credentials. Errors and authentication are the
 * provider's {@link ProviderTranslator}'s.
 */
public interface EmbeddingTranslator {

  /** Why this provider cannot take the request at all (token ids, too many inputs), or null. */
  String refusal(EmbeddingRequest request);

  /** The upstream request for the backend's model. */
  UpstreamRequest toUpstream(EmbeddingRequest request, String model);

  /**
   * The most bytes an answer of this many vectors of this length is expected to take in the
   * encoding {@link #toUpstream} asks for, so a batch whose answer cannot be read is never sent.
   */
  long expectedAnswerBytes(int inputs, int dimensions);

  /**
   * Reads a successful upstream body, streaming (an answer of thousands of vectors is never built
   * as a tree).
   *
   * @throws IllegalArgumentException when the body is not an answer of this provider's shape
   */
  EmbeddingResult toResult(byte[] upstreamBody);
}
