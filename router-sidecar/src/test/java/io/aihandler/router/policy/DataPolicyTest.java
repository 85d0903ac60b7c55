package io.aihandler.router.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.ApiException;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.RouterConfigLoader;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataPolicyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CLASSES =
      """
      backends: [{name: llama, provider: vllm, baseUrl: "http://llama:8000/v1", model: llama}]
      dataClasses:
        - {name: public, allowedLocalities: [in-cluster, external]}
        - name: internal
          allowedLocalities: [in-cluster, external]
          detectors: [{type: phone}]
        - name: restricted
          allowedLocalities: [in-cluster]
          detectors: [{type: email}, {type: usSsn}]
      """;

  private static DataPolicy policy(String extra) throws Exception {
    return new DataPolicy(RouterConfigLoader.parse(CLASSES + extra, "test.yaml"));
  }

  private static JsonNode chat(String content) {
    var body = JSON.createObjectNode().put("model", "jane@example.com");
    body.putArray("messages").addObject().put("role", "user").put("content", content);
    return body;
  }

  private static JsonNode withImage() {
    var body = JSON.createObjectNode().put("model", "chat");
    var parts = body.putArray("messages").addObject().put("role", "user").putArray("content");
    parts.addObject().put("type", "text").put("text", "what is this?");
    parts
        .addObject()
        .put("type", "image_url")
        .putObject("image_url")
        .put("url", "data:image/png;base64,iVBO");
    return body;
  }

  @Test
  void opaqueContent_getsTheUnscannableClass_andEveryEmbeddingInputIsRead() throws Exception {
    DataPolicy p = policy("defaultDataClass: public\n");
    var tokens = JSON.createObjectNode().put("model", "emb");
    tokens.putArray("input").addArray().add(1820).add(374);
    var texts = JSON.createObjectNode().put("model", "emb");
    var input = texts.putArray("input");
    for (int i = 0; i < 40; i++) {
      input.add(i == 36 ? "write to jane@example.com" : "paragraph " + i);
    }

    DataPolicy.Decision opaque = p.classify(null, List.of(), tokens, true);
    DataPolicy.Decision read = p.classify(null, List.of(), tokens, false);
    DataPolicy.Decision batch = p.classify(null, List.of(), texts, false);

    assertThat(opaque.reasons()).containsEntry("restricted", "unscannable");
    assertThat(opaque.allowed()).containsExactly(Locality.IN_CLUSTER);
    assertThat(read.classes()).containsExactly("public");
    assertThat(batch.reasons()).containsEntry("restricted", "detector:email");
  }

  @Test
  void aHeaderAddsToTheDefaultClassAndNeverReplacesIt() throws Exception {
    DataPolicy p = policy("defaultDataClass: restricted\n");

    DataPolicy.Decision d = p.classify(null, List.of("public"), chat("hello"));

    assertThat(d.classes()).containsExactly("public", "restricted");
    assertThat(d.allowed()).containsExactly(Locality.IN_CLUSTER);
    assertThat(d.reasons())
        .containsExactly(entry("public", "header"), entry("restricted", "default"));
  }

  @Test
  void aHeaderAddsToTheTaskClassAndNeverReplacesIt() throws Exception {
    DataPolicy.Decision d = policy("").classify("restricted", List.of("public"), chat("hello"));

    assertThat(d.allowed()).containsExactly(Locality.IN_CLUSTER);
    assertThat(d.reasons()).containsEntry("restricted", "task");
  }

  @Test
  void theTaskClassTakesThePlaceOfTheDefault() throws Exception {
    // The default is for requests whose task names no class; both come from the config's author.
    DataPolicy.Decision d =
        policy("defaultDataClass: restricted\n").classify("public", List.of(), chat("hello"));

    assertThat(d.classes()).containsExactly("public");
  }

  @Test
  void everyHeaderValueAndEveryListedClassIsRead() throws Exception {
    DataPolicy p = policy("");

    assertThat(p.classify(null, List.of("public", "restricted"), chat("hi")).allowed())
        .containsExactly(Locality.IN_CLUSTER);
    assertThat(p.classify(null, List.of(" public , restricted "), chat("hi")).allowed())
        .containsExactly(Locality.IN_CLUSTER);
    assertThat(p.classify(null, List.of("public,,"), chat("hi")).classes())
        .containsExactly("public");
    assertThat(p.classify(null, null, chat("hi")).classes()).isEmpty();
  }

  @Test
  void anUnknownClassInAnyValueIsRefusedNamingItButNoRequestText() throws Exception {
    assertThatThrownBy(
            () ->
                policy("")
                    .classify(null, List.of("public", "public, secret"), chat("jane@example.com")))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains("\"secret\"").doesNotContain("jane");
            });
  }

  @Test
  void detectorsRecordTheirTypeAsTheReason() throws Exception {
    DataPolicy.Decision d =
        policy("").classify(null, List.of(), chat("call +1 (415) 555-0132 or jane@example.com"));

    assertThat(d.classes()).containsExactly("internal", "restricted");
    assertThat(d.reasons())
        .containsExactly(
            entry("internal", "detector:phone"), entry("restricted", "detector:email"));
    assertThat(d.label()).isEqualTo("internal+restricted");
  }

  @Test
  void theTopLevelModelIsTheOnlyFieldNotRead() throws Exception {
    assertThat(policy("").classify(null, List.of(), chat("hello")).classes()).isEmpty();
  }

  @Test
  void theLabelListsClassesInDeclarationOrderWhateverTheirSource() throws Exception {
    DataPolicy p = policy("");

    assertThat(p.classify("restricted", List.of("public"), chat("hi")).label())
        .isEqualTo("public+restricted");
    assertThat(p.classify("public", List.of("restricted"), chat("hi")).label())
        .isEqualTo("public+restricted");
  }

  @Test
  void unscannableContentGetsTheMostRestrictiveClassWithDetectorsByDefault() throws Exception {
    DataPolicy p = policy("defaultDataClass: public\n");

    DataPolicy.Decision d = p.classify(null, List.of(), withImage());

    assertThat(p.unscannableClass()).isEqualTo("restricted");
    assertThat(d.allowed()).containsExactly(Locality.IN_CLUSTER);
    assertThat(d.reasons()).containsEntry("restricted", "unscannable");
  }

  @Test
  void unscannableContentGetsTheConfiguredClass() throws Exception {
    DataPolicy p = policy("unscannableDataClass: internal\n");

    DataPolicy.Decision d = p.classify(null, List.of(), withImage());

    assertThat(d.classes()).containsExactly("internal");
    assertThat(d.allowed()).isEqualTo(Set.of(Locality.IN_CLUSTER, Locality.EXTERNAL));
  }

  @Test
  void withoutDetectorsUnscannableContentIsLikeAnyOtherUnlessConfigured() throws Exception {
    String noDetectors =
        """
        backends: [{name: llama, provider: vllm, baseUrl: "http://llama:8000/v1", model: llama}]
        dataClasses:
          - {name: public, allowedLocalities: [in-cluster, external]}
          - {name: restricted, allowedLocalities: [in-cluster]}
        """;
    DataPolicy none = new DataPolicy(RouterConfigLoader.parse(noDetectors, "a.yaml"));
    DataPolicy set =
        new DataPolicy(
            RouterConfigLoader.parse(noDetectors + "unscannableDataClass: restricted\n", "b.yaml"));

    assertThat(none.unscannableClass()).isNull();
    assertThat(none.classify(null, List.of(), withImage()).classes()).isEmpty();
    assertThat(set.classify(null, List.of(), withImage()).classes()).containsExactly("restricted");
    assertThat(set.classify(null, List.of(), chat("jane@example.com")).classes()).isEmpty();
  }
}
