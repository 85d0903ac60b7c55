package io.aihandler.router.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.router.provider.EmbeddingRequest;
import io.aihandler.router.provider.EmbeddingResult;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.testing.EmbeddingFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gemini's batchEmbedContents, without a network. */
class GeminiEmbeddingsTest {

  private final EmbeddingTranslator t = new GeminiTranslator().embeddings();

  @Test
  void oneEmbedContentRequestPerInput_withOutputDimensionality() {
    UpstreamRequest up =
        t.toUpstream(
            new EmbeddingRequest(List.of("a", "b"), null, 768, null),
            "models/gemini-embedding-001");

    assertThat(up.path()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    assertThat(up.body().toString())
        .isEqualTo(
            "{\"requests\":["
                + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"a\"}]},\"outputDimensionality\":768},"
                + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"b\"}]},\"outputDimensionality\":768}]}");
  }

  @Test
  void withoutDimensions_noOutputDimensionalityIsSent() {
    UpstreamRequest up =
        t.toUpstream(new EmbeddingRequest(List.of("a"), null, null, null), "gemini-embedding-001");
    assertThat(up.body().path("requests").path(0).has("outputDimensionality")).isFalse();
  }

  @Test
  void refusesTokenIds_user_andMoreThanAHundredInputs() {
    assertThat(t.refusal(new EmbeddingRequest(null, List.of(new int[] {1}), null, null)))
        .contains("text only");
    assertThat(t.refusal(new EmbeddingRequest(List.of("a"), null, null, "u"))).contains("'user'");
    assertThat(t.refusal(new EmbeddingRequest(Collections.nCopies(101, "a"), null, null, null)))
        .contains("at most 100");
    assertThat(t.refusal(new EmbeddingRequest(Collections.nCopies(100, "a"), null, null, null)))
        .isNull();
    assertThatThrownBy(
            () -> t.toUpstream(new EmbeddingRequest(null, List.of(new int[] {1}), null, null), "m"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsValuesInInputOrder_andCountsNoTokens() {
    EmbeddingResult r =
        t.toResult(EmbeddingFixtures.gemini(5, 3, 4).getBytes(StandardCharsets.UTF_8));

    assertThat(r.indices()).containsExactly(0, 1, 2);
    assertThat(r.promptTokens()).isNull();
    assertThat(r.vectors()[2]).containsExactly(EmbeddingFixtures.vector(5, 2, 4));
  }

  @Test
  void refusesWhatIsNotABatchEmbedContentsAnswer() {
    for (String body :
        List.of("{}", "{\"embeddings\":[{}]}", "{\"embeddings\":[{\"values\":{}}]}", "nope")) {
      assertThatThrownBy(() -> t.toResult(body.getBytes(StandardCharsets.UTF_8)))
          .as(body)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
