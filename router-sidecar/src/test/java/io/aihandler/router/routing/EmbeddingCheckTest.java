package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.router.provider.EmbeddingResult;
import org.junit.jupiter.api.Test;

/** An answer's vectors: one per input, every index once, each of the expected length. */
class EmbeddingCheckTest {

  private static EmbeddingResult result(int[] indices, float[]... vectors) {
    return new EmbeddingResult(indices, vectors, null);
  }

  @Test
  void putsVectorsInInputOrder() {
    float[] a = {1, 2};
    float[] b = {3, 4};
    float[][] ordered = EmbeddingCheck.inInputOrder(result(new int[] {1, 0}, a, b), 2, 2);
    assertThat(ordered[0]).isSameAs(b);
    assertThat(ordered[1]).isSameAs(a);
  }

  @Test
  void refusesAWrongCount_aMissingOrRepeatedIndex_aWrongLength_andNonNumbers() {
    float[] v = {1, 2};
    assertThatThrownBy(() -> EmbeddingCheck.inInputOrder(result(new int[] {0}, v), 2, 2))
        .hasMessage("1 vectors for 2 inputs");
    assertThatThrownBy(() -> EmbeddingCheck.inInputOrder(result(new int[] {0, 0}, v, v), 2, 2))
        .hasMessage("two vectors for input 0");
    assertThatThrownBy(() -> EmbeddingCheck.inInputOrder(result(new int[] {0, 2}, v, v), 2, 2))
        .hasMessage("a vector for input 2 of 2");
    assertThatThrownBy(() -> EmbeddingCheck.inInputOrder(result(new int[] {0}, v), 1, 3))
        .hasMessage("a vector of 2 dimensions for input 0, expected 3");
    assertThatThrownBy(
            () -> EmbeddingCheck.inInputOrder(result(new int[] {0}, new float[] {Float.NaN}), 1, 1))
        .hasMessageContaining("not a number");
  }

  @Test
  void withoutAnExpectedLength_allVectorsMustShareOne() {
    assertThat(
            EmbeddingCheck.inInputOrder(
                result(new int[] {0, 1}, new float[3], new float[3]), 2, null))
        .hasNumberOfRows(2);
    assertThatThrownBy(
            () ->
                EmbeddingCheck.inInputOrder(
                    result(new int[] {0, 1}, new float[3], new float[4]), 2, null))
        .hasMessageContaining("expected 3");
    assertThatThrownBy(
            () -> EmbeddingCheck.inInputOrder(result(new int[] {0}, new float[0]), 1, null))
        .hasMessage("vectors of no dimensions");
  }
}
