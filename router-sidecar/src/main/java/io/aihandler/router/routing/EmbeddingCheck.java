package io.aihandler.router.routing;

import io.aihandler.router.provider.EmbeddingResult;

/**
 * Whether an upstream's vectors answer the request: one per input, every index once, each of the
 * expected length (or, when the length is not known, all of one length). An answer that fails is a
 * bad answer like any other, and another compatible backend may serve instead.
 */
final class EmbeddingCheck {

  private EmbeddingCheck() {}

  /**
   * The vectors in input order.
   *
   * @param dimensions the expected length, or null when unknown
   * @throws IllegalArgumentException saying what is wrong, in words for the client
   */
  static float[][] inInputOrder(EmbeddingResult r, int inputs, Integer dimensions) {
    if (r.vectors().length != inputs || r.indices().length != inputs) {
      throw new IllegalArgumentException(r.vectors().length + " vectors for " + inputs + " inputs");
    }
    float[][] ordered = new float[inputs][];
    int length = dimensions != null ? dimensions : inputs == 0 ? 0 : r.vectors()[0].length;
    if (inputs > 0 && length == 0) {
      throw new IllegalArgumentException("vectors of no dimensions");
    }
    for (int i = 0; i < inputs; i++) {
      int index = r.indices()[i];
      if (index < 0 || index >= inputs) {
        throw new IllegalArgumentException("a vector for input " + index + " of " + inputs);
      }
      if (ordered[index] != null) {
        throw new IllegalArgumentException("two vectors for input " + index);
      }
      float[] v = r.vectors()[i];
      if (v.length != length) {
        throw new IllegalArgumentException(
            "a vector of " + v.length + " dimensions for input " + index + ", expected " + length);
      }
      for (float f : v) {
        if (!Float.isFinite(f)) {
          throw new IllegalArgumentException("a vector with a value that is not a number");
        }
      }
      ordered[index] = v;
    }
    return ordered;
  }
}
