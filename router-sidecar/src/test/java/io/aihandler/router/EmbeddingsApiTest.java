package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams.EncodingFormat;
import io.aihandler.router.testing.EmbeddingStandIn;
import io.aihandler.router.testing.EmbeddingStandIn.Api;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/embeddings} on a real sidecar, driven by the official OpenAI Java SDK and by raw
 * HTTP, over stand-ins shaped like OpenAI, Azure OpenAI, vLLM and Gemini.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingsApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DIMS = 8;

  EmbeddingStandIn openai;
  EmbeddingStandIn compatible;
  EmbeddingStandIn azure;
  EmbeddingStandIn vllm;
  EmbeddingStandIn gemini;
  MockWebServer chatty;
  Sidecar sidecar;
  OpenAIClient client;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    openai = new EmbeddingStandIn(Api.OPENAI, 1, DIMS);
    compatible = new EmbeddingStandIn(Api.OPENAI, 2, DIMS);
    azure = new EmbeddingStandIn(Api.OPENAI, 3, DIMS);
    vllm = new EmbeddingStandIn(Api.VLLM, 4, DIMS);
    gemini = new EmbeddingStandIn(Api.GEMINI, 5, DIMS);
    chatty = new MockWebServer();
    chatty.start();
    sidecar =
        new Sidecar(
            dir,
            """
            sidecar: {maxUpstreamResponseBytes: 16384}
            backends:
              - name: oai
                provider: openai
                baseUrl: "%s"
                model: text-embedding-3-small
                pricing: {inputPerMillionTokens: 20}
                credentials: {env: OPENAI_API_KEY}
                capabilities: {chat: false, embeddings: {dimensions: 8, maxInputs: 2048}}
              - name: twin
                provider: openai-compatible
                baseUrl: "%s"
                model: te3-small
                capabilities: {chat: false, embeddings: {dimensions: 8, vectorSpace: text-embedding-3-small}}
              - name: az
                provider: azure-openai
                baseUrl: "%s"
                model: emb-small
                apiVersion: "2024-10-21"
                credentials: {env: AZURE_KEY}
                capabilities: {chat: false, embeddings: {dimensions: 8, vectorSpace: text-embedding-3-small}}
              - name: bge
                provider: vllm
                baseUrl: "%s"
                model: bge-m3
                capabilities: {chat: false, embeddings: {dimensions: 8}}
              - name: gem
                provider: gemini
                baseUrl: "%s"
                model: gemini-embedding-001
                credentials: {env: GEMINI_KEY}
                capabilities: {chat: false, embeddings: {dimensions: 8, maxInputs: 100}}
              - name: claude
                provider: anthropic
                baseUrl: "%s"
                model: claude-sonnet-4-5
                credentials: {env: OPENAI_API_KEY}
              - name: gpt
                provider: openai
                baseUrl: "%s"
                model: gpt-4o
                credentials: {env: OPENAI_API_KEY}
            routes:
              - name: emb
                # Two attempts for two targets: a failure falls back at once rather than retrying.
                maxAttempts: 2
                # Faults are injected on purpose here: the circuit must not open between tests.
                circuitBreaker: {failureRateThreshold: 100, minimumCalls: 100, windowSize: 100}
                targets: [{backend: oai, priority: 0}, {backend: twin, priority: 1}]
              - {name: mixed, maxAttempts: 3, targets: [{backend: oai, priority: 0}, {backend: bge, priority: 1}]}
              - {name: azure, targets: [{backend: az}]}
              - {name: local, targets: [{backend: bge}]}
              - {name: gemini, targets: [{backend: gem}]}
              - {name: chatonly, targets: [{backend: claude, priority: 0}, {backend: gpt, priority: 1}]}
              - {name: chatmix, targets: [{backend: oai, priority: 0}, {backend: gpt, priority: 1}]}
            tasks:
              - {name: index-docs, route: emb}
              - name: summarise
                route: chatmix
                prompt: {user: "Summarise {{text}}"}
                variables: [{name: text}]
            """
                .formatted(
                    openai.baseUrl(),
                    compatible.baseUrl(),
                    azure.baseUrl(),
                    vllm.baseUrl(),
                    gemini.baseUrl(),
                    chatty.url("/"),
                    chatty.url("/v1")),
            Map.of(
                "OPENAI_API_KEY",
                "sk-test-embed-0123456789",
                "AZURE_KEY",
                "az-key-0123456789",
                "GEMINI_KEY",
                "AIza-test-0123456789"));
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(sidecar.baseUrl() + "/v1")
            .apiKey("not-the-upstream-key")
            .maxRetries(0)
            .build();
  }

  @AfterAll
  void stop() {
    client.close();
    sidecar.close();
    for (EmbeddingStandIn s : List.of(openai, compatible, azure, vllm, gemini)) {
      s.close();
    }
    chatty.close();
  }

  @BeforeEach
  void forget() {
    for (EmbeddingStandIn s : List.of(openai, compatible, azure, vllm, gemini)) {
      s.forget();
    }
  }

  private CreateEmbeddingResponse embed(String model, List<String> inputs, EncodingFormat format) {
    EmbeddingCreateParams.Builder b =
        EmbeddingCreateParams.builder().model(model).inputOfArrayOfStrings(inputs);
    if (format != null) {
      b.encodingFormat(format);
    }
    return client.embeddings().create(b.build());
  }

  private static void assertVectors(
      CreateEmbeddingResponse r, EmbeddingStandIn from, int count, int dims) {
    assertThat(r.data()).hasSize(count);
    for (int i = 0; i < count; i++) {
      assertThat(r.data().get(i).index()).isEqualTo(i);
      float[] expected = from.vector(i, dims);
      List<Float> got = r.data().get(i).embedding();
      assertThat(got).hasSize(dims);
      for (int j = 0; j < dims; j++) {
        // Bit for bit: float text and base64 both carry the float32 exactly.
        assertThat(Float.floatToIntBits(got.get(j))).isEqualTo(Float.floatToIntBits(expected[j]));
      }
    }
  }

  private HttpResponse<String> post(String body, String... headers) throws Exception {
    return sidecar.post("/v1/embeddings", body, headers);
  }

  private static JsonNode error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("error");
  }

  private static String counted(String route, String backend) {
    return "aihandler_requests_total{backend=\""
        + backend
        + "\",endpoint=\"embeddings\",outcome=\"success\",route=\""
        + route
        + "\",task=\"none\"}";
  }

  private void awaitMetric(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!sidecar.metrics().contains(prefix) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  // ---- the SDK as the client ----

  @Test
  void floats_areTheUpstreamsFloat32sBitForBit_andOpenAiIsAskedForBase64() throws Exception {
    CreateEmbeddingResponse r =
        embed("emb", List.of("alpha", "beta", "gamma"), EncodingFormat.FLOAT);

    assertVectors(r, openai, 3, DIMS);
    assertThat(r.model()).isEqualTo("emb");
    assertThat(r.usage().promptTokens()).isEqualTo(15);
    assertThat(r.usage().totalTokens()).isEqualTo(15);
    EmbeddingStandIn.Seen up = openai.seen().getFirst();
    assertThat(up.target()).isEqualTo("/v1/embeddings");
    assertThat(up.authorization()).isEqualTo("Bearer sk-test-embed-0123456789");
    assertThat(up.body().path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(up.body().path("encoding_format").asText()).isEqualTo("base64");
    assertThat(up.body().path("input").toString()).isEqualTo("[\"alpha\",\"beta\",\"gamma\"]");
    assertThat(up.body().has("dimensions")).isFalse();
    assertThat(compatible.count()).isZero();
    awaitMetric(counted("emb", "oai"));
    assertThat(sidecar.metrics()).contains(counted("emb", "oai") + " 1.0");
    // 15 tokens at 20 USD a million input tokens.
    assertThat(sidecar.metrics())
        .contains("aihandler_tokens_total{backend=\"oai\",direction=\"input\",task=\"none\"} 15.0");
    assertThat(sidecar.metrics())
        .contains("aihandler_cost_usd_total{backend=\"oai\",task=\"none\"} 3.0E-4");
  }

  @Test
  void base64_theSdkDefault_decodesToTheSameFloats() throws Exception {
    CreateEmbeddingResponse r = embed("emb", List.of("alpha", "beta"), null);

    assertVectors(r, openai, 2, DIMS);
    assertThat(r.data().getFirst().embeddingValue().isBase64()).isTrue();
  }

  @Test
  void rawBase64_isLittleEndianFloat32_asOpenAiEncodes() throws Exception {
    HttpResponse<String> r =
        post("{\"model\":\"local\",\"input\":\"one\",\"encoding_format\":\"base64\"}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("data").path(0).path("object").asText()).isEqualTo("embedding");
    assertThat(body.path("data").path(0).path("embedding").asText())
        .isEqualTo(io.aihandler.router.testing.EmbeddingFixtures.base64(vllm.vector(0, DIMS)));
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void tokenArraysAndDimensions_reachVllmAsSent() throws Exception {
    CreateEmbeddingResponse r =
        client
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model("local")
                    .inputOfArrayOfTokenArrays(List.of(List.of(1L, 2L, 3L), List.of(40L, 50L)))
                    .dimensions(4)
                    .encodingFormat(EncodingFormat.FLOAT)
                    .build());

    assertVectors(r, vllm, 2, 4);
    JsonNode sent = vllm.seen().getFirst().body();
    assertThat(sent.path("input").toString()).isEqualTo("[[1,2,3],[40,50]]");
    assertThat(sent.path("dimensions").asInt()).isEqualTo(4);
    assertThat(sent.path("model").asText()).isEqualTo("bge-m3");
  }

  @Test
  void azure_deploymentInThePath_apiKeyHeader_floatsAsked() throws Exception {
    CreateEmbeddingResponse r = embed("azure", List.of("one", "two"), null);

    assertVectors(r, azure, 2, DIMS);
    EmbeddingStandIn.Seen up = azure.seen().getFirst();
    assertThat(up.target())
        .isEqualTo("/v1/openai/deployments/emb-small/embeddings?api-version=2024-10-21");
    assertThat(up.apiKey()).isEqualTo("az-key-0123456789");
    assertThat(up.authorization()).isNull();
    assertThat(up.body().has("model")).isFalse();
    assertThat(up.body().path("encoding_format").asText()).isEqualTo("float");
  }

  @Test
  void gemini_batchEmbedContents_floatsEncodedAsBase64_tokensEstimated() throws Exception {
    CreateEmbeddingResponse r =
        client
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model("gemini")
                    .inputOfArrayOfStrings(List.of("hello world", "bye"))
                    .dimensions(DIMS)
                    .build());

    assertVectors(r, gemini, 2, DIMS);
    EmbeddingStandIn.Seen up = gemini.seen().getFirst();
    assertThat(up.target()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    assertThat(up.googKey()).isEqualTo("AIza-test-0123456789");
    assertThat(up.body().toString())
        .isEqualTo(
            "{\"requests\":["
                + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"hello world\"}]},\"outputDimensionality\":8},"
                + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"bye\"}]},\"outputDimensionality\":8}]}");
    // Gemini counts no tokens: 11 and 3 characters at four a token.
    assertThat(r.usage().promptTokens()).isEqualTo(3 + 1);
  }

  @Test
  void gemini_refusesTokenIds_withTheReason() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"gemini\",\"input\":[[1,2,3]]}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).path("code").asText()).isEqualTo("embeddings_request_refused");
    assertThat(error(r).path("message").asText()).contains("gem: skipped, Gemini embeds text only");
    assertThat(gemini.count()).isZero();
  }

  @Test
  void aTask_givesItsRoute_butOneWithPromptTemplatesIsRefused() throws Exception {
    assertVectors(embed("index-docs", List.of("a"), null), openai, 1, DIMS);

    HttpResponse<String> r = post("{\"model\":\"summarise\",\"input\":\"text\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).path("code").asText()).isEqualTo("task_not_embeddable");
    assertThat(error(r).path("message").asText()).contains("prompt templates");
  }

  // ---- fallback and vector compatibility ----

  @Test
  void serverError_fallsBackToACompatibleBackend() throws Exception {
    openai.thenAnswer(
        body -> OpenAiFixtures.openAiError(500, "server_error", null, "The server had an error"));

    CreateEmbeddingResponse r = embed("emb", List.of("a", "b"), null);

    assertVectors(r, compatible, 2, DIMS);
    assertThat(openai.count()).isEqualTo(1);
    assertThat(compatible.seen().getFirst().body().path("model").asText()).isEqualTo("te3-small");
  }

  @Test
  void serverError_neverFallsBackToAnotherVectorSpace() throws Exception {
    openai.thenAnswer(
        body -> OpenAiFixtures.openAiError(500, "server_error", null, "The server had an error"));
    openai.thenAnswer(
        body -> OpenAiFixtures.openAiError(500, "server_error", null, "The server had an error"));
    openai.thenAnswer(
        body -> OpenAiFixtures.openAiError(500, "server_error", null, "The server had an error"));

    HttpResponse<String> r = post("{\"model\":\"mixed\",\"input\":[\"a\",\"b\"]}");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).path("message").asText())
        .contains(
            "bge: skipped, its vectors (vector space bge-m3, 8 dimensions) are not compatible"
                + " with the first target's (vector space text-embedding-3-small, 8 dimensions)");
    assertThat(vllm.count()).isZero();
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_targets_skipped_total{backend=\"bge\",reason=\"incompatibleVectors\",route=\"mixed\"}");
  }

  @Test
  void requestedDimensions_makeTargetsCompatibleOnlyWithTheSameLength() throws Exception {
    // Both declare 8; asking for 4 of both keeps them compatible, and the answer is checked at 4.
    openai.thenAnswer(body -> OpenAiFixtures.openAiError(503, "server_error", null, "overloaded"));
    CreateEmbeddingResponse r =
        client
            .embeddings()
            .create(EmbeddingCreateParams.builder().model("emb").input("x").dimensions(4).build());
    assertVectors(r, compatible, 1, 4);
  }

  @Test
  void tooFewVectors_isABadAnswer_andFallsBack() throws Exception {
    openai.thenVectors(2, DIMS);

    CreateEmbeddingResponse r = embed("emb", List.of("a", "b", "c"), null);

    assertVectors(r, compatible, 3, DIMS);
    assertThat(openai.count()).isEqualTo(1);
  }

  @Test
  void vectorsOfTheWrongLength_areABadAnswer_andFallBack() throws Exception {
    openai.thenVectors(2, DIMS + 1);
    compatible.thenVectors(2, DIMS - 1);

    HttpResponse<String> r = post("{\"model\":\"emb\",\"input\":[\"a\",\"b\"]}");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).path("code").asText()).isEqualTo("bad_upstream_response");
    assertThat(error(r).path("message").asText())
        .contains("a vector of 7 dimensions for input 0, expected 8")
        .contains("oai: HTTP 502 bad_upstream_response");
  }

  // ---- what is not served ----

  @Test
  void aRouteOfAnthropicAndChatOnlyBackends_servesNoEmbeddings() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"chatonly\",\"input\":\"a\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).path("code").asText()).isEqualTo("embeddings_not_served");
    assertThat(error(r).path("message").asText())
        .contains("claude: provider anthropic has no embeddings API")
        .contains("gpt: it declares no capabilities.embeddings");
    assertThat(chatty.getRequestCount()).isZero();
  }

  @Test
  void chat_skipsBackendsThatDoNotChat_andARouteOfOnlyThemIsRefused() throws Exception {
    int before = chatty.getRequestCount();
    chatty.enqueue(OpenAiFixtures.ok(OpenAiFixtures.openAiCompletion("hi", "stop")));
    HttpResponse<String> served =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"chatmix\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(chatty.getRequestCount()).isEqualTo(before + 1);
    assertThat(openai.count()).isZero();

    HttpResponse<String> refused =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"oai\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(error(refused).path("code").asText()).isEqualTo("chat_not_served");
    assertThat(error(refused).path("message").asText()).contains("oai: capabilities.chat is false");
    assertThat(openai.count()).isZero();
  }

  // ---- refused requests ----

  @Test
  void fieldsOutsideTheApi_areRefusedByName() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"emb\",\"input\":\"a\",\"truncate\":true}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).path("code").asText()).isEqualTo("unsupported_parameter");
    assertThat(error(r).path("param").asText()).isEqualTo("truncate");
    assertThat(openai.count()).isZero();
  }

  @Test
  void inputsOpenAiRefuses_areRefusedBeforeAnythingIsSent() throws Exception {
    Map<String, String> cases =
        Map.of(
            "{\"model\":\"emb\",\"input\":\"\"}", "input is an empty string",
            "{\"model\":\"emb\",\"input\":[]}", "input is an empty array",
            "{\"model\":\"emb\",\"input\":[\"a\",\"\"]}", "input[1] is an empty string",
            "{\"model\":\"emb\",\"input\":[\"a\",3]}", "input[1] is not a string",
            "{\"model\":\"emb\",\"input\":[1,-2]}", "input[1] is not a token id",
            "{\"model\":\"emb\",\"input\":[[1],[2.5]]}", "input[1][0] is not a token id",
            "{\"model\":\"emb\",\"input\":[[1],[]]}", "input[1] is an empty array of token ids",
            "{\"model\":\"emb\",\"input\":[1,3000000000]}", "input[1] is not a token id",
            "{\"model\":\"emb\",\"input\":{\"text\":\"a\"}}", "must be a string or an array");
    for (var c : cases.entrySet()) {
      HttpResponse<String> r = post(c.getKey());
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(error(r).path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error(r).path("message").asText())
          .as(c.getKey())
          .contains("'$.input' is invalid")
          .contains(c.getValue());
    }
    Map<String, String> params =
        Map.of(
            "{\"model\":\"emb\"}", "input",
            "{\"model\":\"emb\",\"input\":\"a\",\"encoding_format\":\"int8\"}", "encoding_format",
            "{\"model\":\"emb\",\"input\":\"a\",\"dimensions\":0}", "dimensions",
            "{\"model\":\"emb\",\"input\":\"a\",\"dimensions\":\"8\"}", "dimensions",
            "{\"model\":\"emb\",\"input\":\"a\",\"user\":7}", "user",
            "{\"input\":\"a\"}", "model");
    for (var c : params.entrySet()) {
      HttpResponse<String> r = post(c.getKey());
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(error(r).path("param").asText()).as(c.getKey()).isEqualTo(c.getValue());
    }
    assertThat(openai.count()).isZero();
  }

  @Test
  void limits_theSidecarCap_aBackendsMaxInputs_andAnAnswerTooLargeToRead() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 2049; i++) {
      many.add("x");
    }
    HttpResponse<String> tooMany =
        post(
            JSON.createObjectNode()
                .put("model", "emb")
                .set("input", JSON.valueToTree(many))
                .toString());
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany).path("code").asText()).isEqualTo("too_many_inputs");

    // Gemini takes 100 a call, and its floats of 101 vectors would not fit 16 KiB either.
    HttpResponse<String> overGemini =
        post(
            JSON.createObjectNode()
                .put("model", "gemini")
                .set("input", JSON.valueToTree(many.subList(0, 101)))
                .toString());
    assertThat(overGemini.statusCode()).isEqualTo(400);
    assertThat(error(overGemini).path("message").asText())
        .contains("takes at most 100 inputs in one call");

    // 60 Gemini vectors of 8 floats: about 19 KB of pretty-printed JSON, more than 16 KiB.
    HttpResponse<String> tooLarge =
        post(
            JSON.createObjectNode()
                .put("model", "gemini")
                .set("input", JSON.valueToTree(many.subList(0, 60)))
                .toString());
    assertThat(tooLarge.statusCode()).isEqualTo(400);
    assertThat(error(tooLarge).path("code").asText()).isEqualTo("embeddings_request_refused");
    assertThat(error(tooLarge).path("message").asText())
        .contains("sidecar.maxUpstreamResponseBytes");
    assertThat(gemini.count()).isZero();

    // The same 60 as base64 from OpenAI fit.
    CreateEmbeddingResponse fits = embed("emb", many.subList(0, 60), null);
    assertVectors(fits, openai, 60, DIMS);
  }
}
