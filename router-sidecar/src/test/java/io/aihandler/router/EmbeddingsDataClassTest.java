package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.testing.EmbeddingStandIn;
import io.aihandler.router.testing.EmbeddingStandIn.Api;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data classes hold for every input of an embeddings batch: one restricted input among forty keeps
 * the whole batch in the cluster, on the first attempt, on retries and on fallback, and token ids,
 * which no detector can read, are treated as restricted. Two external stand-ins and an in-cluster
 * one serve the same vector space, so every one of them is a compatible fallback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingsDataClassTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMAIL = "jane.doe@example.com";

  EmbeddingStandIn external;
  EmbeddingStandIn external2;
  EmbeddingStandIn local;
  Sidecar sidecar;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    external = new EmbeddingStandIn(Api.OPENAI, 1, 8);
    external2 = new EmbeddingStandIn(Api.OPENAI, 2, 8);
    local = new EmbeddingStandIn(Api.VLLM, 3, 8);
    String caps =
        "capabilities: {chat: false, embeddings: {dimensions: 8, vectorSpace: shared-space}}";
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - {name: ext, provider: openai-compatible, baseUrl: "%s", model: m, locality: external, %s}
              - {name: ext2, provider: openai-compatible, baseUrl: "%s", model: m, locality: external, %s}
              - {name: local, provider: vllm, baseUrl: "%s", model: m, %s}
            dataClasses:
              - name: restricted
                allowedLocalities: [in-cluster]
                detectors: [{type: email}, {type: phone}, {type: creditCard}, {type: iban}, {type: usSsn}]
              - name: public
                allowedLocalities: [in-cluster, external]
            defaultDataClass: public
            routes:
              - name: emb
                maxAttempts: 4
                circuitBreaker: {failureRateThreshold: 100, minimumCalls: 100, windowSize: 100}
                targets: [{backend: ext, priority: 0}, {backend: ext2, priority: 1}, {backend: local, priority: 2}]
              - {name: external-only, targets: [{backend: ext}, {backend: ext2}]}
            """
                .formatted(
                    external.baseUrl(), caps, external2.baseUrl(), caps, local.baseUrl(), caps));
  }

  @AfterAll
  void stop() {
    sidecar.close();
    external.close();
    external2.close();
    local.close();
  }

  @BeforeEach
  void forget() {
    external.forget();
    external2.forget();
    local.forget();
  }

  /** Forty inputs, the 37th ({@code input[36]}) holding {@code secret} when it is not null. */
  private static String batch(String route, String secret) {
    ObjectNode body = JSON.createObjectNode().put("model", route);
    ArrayNode input = body.putArray("input");
    for (int i = 0; i < 40; i++) {
      input.add(
          i == 36 && secret != null
              ? "contact " + secret + " about the invoice"
              : "paragraph " + i);
    }
    return body.toString();
  }

  private void assertNothingLeft(String what) {
    assertThat(external.count()).as(what + " reached ext").isZero();
    assertThat(external2.count()).as(what + " reached ext2").isZero();
  }

  @Test
  void aPublicBatch_goesToTheFirstTarget() throws Exception {
    HttpResponse<String> r = sidecar.post("/v1/embeddings", batch("emb", null));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(external.count()).isEqualTo(1);
    assertThat(local.count()).isZero();
  }

  @Test
  void oneRestrictedInputAmongForty_keepsTheWholeBatchInTheCluster() throws Exception {
    for (String secret :
        List.of(EMAIL, "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "536-22-8741")) {
      forget();
      HttpResponse<String> r = sidecar.post("/v1/embeddings", batch("emb", secret));

      assertThat(r.statusCode()).as(secret).isEqualTo(200);
      assertNothingLeft(secret);
      assertThat(local.count()).isEqualTo(1);
      assertThat(local.seen().getFirst().body().path("input").size()).isEqualTo(40);
      assertThat(JSON.readTree(r.body()).path("data").size()).isEqualTo(40);
    }
  }

  @Test
  void aRestrictedBatch_whoseInClusterBackendFails_isRetriedThere_andNeverFallsBackOutside()
      throws Exception {
    for (int i = 0; i < 4; i++) {
      local.thenAnswer(
          body -> OpenAiFixtures.vllmError(500, "InternalServerError", "CUDA out of memory"));
    }

    HttpResponse<String> r = sidecar.post("/v1/embeddings", batch("emb", EMAIL));

    assertThat(r.statusCode()).isEqualTo(502);
    assertNothingLeft("a failing restricted batch");
    assertThat(local.count()).isGreaterThanOrEqualTo(2);
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("data_policy_withheld_fallbacks");
    assertThat(error.path("message").asText()).contains("withheld backends ext, ext2");
  }

  @Test
  void aRestrictedBatch_onAnExternalOnlyRoute_isRefusedAndNothingIsSent() throws Exception {
    HttpResponse<String> r = sidecar.post("/v1/embeddings", batch("external-only", EMAIL));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(r.body()).path("error").path("code").asText())
        .isEqualTo("data_policy_blocked");
    assertNothingLeft("a restricted batch on an external-only route");
  }

  @Test
  void tokenIds_cannotBeScanned_soTheyAreRestricted() throws Exception {
    String tokens = "{\"model\":\"external-only\",\"input\":[[1820,374,264],[9907,1917]]}";
    HttpResponse<String> refused = sidecar.post("/v1/embeddings", tokens);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertNothingLeft("token ids on an external-only route");

    HttpResponse<String> served =
        sidecar.post("/v1/embeddings", "{\"model\":\"emb\",\"input\":[1820,374,264]}");
    assertThat(served.statusCode()).isEqualTo(200);
    assertNothingLeft("token ids");
    assertThat(local.count()).isEqualTo(1);
  }

  @Test
  void theDataClassHeader_narrowsABatch() throws Exception {
    HttpResponse<String> r =
        sidecar.post("/v1/embeddings", batch("emb", null), "X-AIHandler-Data-Class", "restricted");

    assertThat(r.statusCode()).isEqualTo(200);
    assertNothingLeft("a batch the header marks restricted");
    assertThat(local.count()).isEqualTo(1);
  }

  @Test
  void aPublicBatch_fallsBackAcrossExternalBackends_butARestrictedOneNeverReachesThem()
      throws Exception {
    external.thenAnswer(body -> OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    HttpResponse<String> pub = sidecar.post("/v1/embeddings", batch("emb", null));
    assertThat(pub.statusCode()).isEqualTo(200);
    assertThat(external2.count() + external.count()).isGreaterThanOrEqualTo(2);

    forget();
    local.thenAnswer(body -> OpenAiFixtures.vllmError(503, "ServiceUnavailableError", "busy"));
    HttpResponse<String> restricted = sidecar.post("/v1/embeddings", batch("emb", EMAIL));
    assertThat(restricted.statusCode()).isEqualTo(200);
    assertNothingLeft("a restricted batch after a failure");
    assertThat(local.count()).isEqualTo(2);
  }
}
