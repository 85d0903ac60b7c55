package io.aihandler.router.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.router.provider.EmbeddingRequest;
import io.aihandler.router.provider.EmbeddingResult;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.UpstreamRequest;
import io.aihandler.router.provider.openai.OpenAiTranslator.Flavor;
import io.aihandler.router.testing.EmbeddingFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenAI's embeddings wire format, for each flavor, without a network. */
class OpenAiEmbeddingsTest {

  private static EmbeddingTranslator of(Flavor f) {
    return new OpenAiTranslator(f, "2024-10-21").embeddings();
  }

  private static EmbeddingRequest texts(String... t) {
    return new EmbeddingRequest(List.of(t), null, null, null);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void openAi_asksForBase64_withModelAndEveryField() {
    UpstreamRequest up =
        of(Flavor.OPENAI)
            .toUpstream(
                new EmbeddingRequest(List.of("a", "b"), null, 256, "user-1"),
                "text-embedding-3-large");

    assertThat(up.path()).isEqualTo("/embeddings");
    assertThat(up.body().toString())
        .isEqualTo(
            "{\"model\":\"text-embedding-3-large\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\","
                + "\"dimensions\":256,\"user\":\"user-1\"}");
  }

  @Test
  void vllm_asksForBase64_tokenArraysAsArrays() {
    UpstreamRequest up =
        of(Flavor.VLLM)
            .toUpstream(
                new EmbeddingRequest(null, List.of(new int[] {1, 2}, new int[] {3}), null, null),
                "bge-m3");

    assertThat(up.body().toString())
        .isEqualTo("{\"model\":\"bge-m3\",\"input\":[[1,2],[3]],\"encoding_format\":\"base64\"}");
  }

  @Test
  void azure_putsTheDeploymentInThePath_andAsksForFloats() {
    UpstreamRequest up = of(Flavor.AZURE).toUpstream(texts("a"), "my deployment");

    assertThat(up.path())
        .isEqualTo("/openai/deployments/my+deployment/embeddings?api-version=2024-10-21");
    assertThat(up.body().toString()).isEqualTo("{\"input\":[\"a\"],\"encoding_format\":\"float\"}");
  }

  @Test
  void compatible_asksForFloats() {
    assertThat(
            of(Flavor.COMPATIBLE)
                .toUpstream(texts("a"), "m")
                .body()
                .path("encoding_format")
                .asText())
        .isEqualTo("float");
  }

  @Test
  void readsFloatsAndBase64_bitForBit_withIndicesAndUsage() {
    for (boolean base64 : new boolean[] {false, true}) {
      EmbeddingResult r =
          of(Flavor.OPENAI).toResult(bytes(EmbeddingFixtures.openAi(9, 3, 5, base64, "m", 12)));

      assertThat(r.indices()).containsExactly(0, 1, 2);
      assertThat(r.promptTokens()).isEqualTo(12);
      for (int i = 0; i < 3; i++) {
        assertThat(r.vectors()[i]).containsExactly(EmbeddingFixtures.vector(9, i, 5));
      }
    }
  }

  @Test
  void readsVllmsCompactAnswer() {
    EmbeddingResult r =
        of(Flavor.VLLM).toResult(bytes(EmbeddingFixtures.vllm(4, 2, 3, true, "bge-m3", 7)));

    assertThat(r.vectors()[1]).containsExactly(EmbeddingFixtures.vector(4, 1, 3));
    assertThat(r.promptTokens()).isEqualTo(7);
  }

  @Test
  void refusesWhatIsNotAnEmbeddingsAnswer() {
    EmbeddingTranslator t = of(Flavor.OPENAI);
    for (String body :
        List.of(
            "[]",
            "{\"object\":\"list\"}",
            "{\"data\":[{\"index\":0}]}",
            "{\"data\":[{\"index\":0,\"embedding\":[\"x\"]}]}",
            "{\"data\":[{\"index\":0,\"embedding\":\"AAA\"}]}",
            "{\"data\":[{\"index\":0,\"embedding\":[0.1,",
            "{\"data\":[{\"index\":99999999999,\"embedding\":[1]}]}")) {
      assertThatThrownBy(() -> t.toResult(bytes(body)))
          .as(body)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void refusesMoreInputsThanOpenAiTakes_andSizesAnswersByEncoding() {
    assertThat(
            of(Flavor.OPENAI)
                .refusal(new EmbeddingRequest(Collections.nCopies(2049, "a"), null, null, null)))
        .contains("at most 2048");
    assertThat(of(Flavor.OPENAI).refusal(texts("a"))).isNull();
    // 3072 floats: 16 KiB of base64, or 96 KiB of pretty-printed floats.
    assertThat(of(Flavor.OPENAI).expectedAnswerBytes(1, 3072)).isBetween(16_384L, 17_100L);
    assertThat(of(Flavor.AZURE).expectedAnswerBytes(1, 3072)).isGreaterThan(98_000L);
  }
}
