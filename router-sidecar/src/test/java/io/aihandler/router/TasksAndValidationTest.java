package io.aihandler.router;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tasks endpoint, schema validation, repair re-asks and fallback on invalid output. */
class TasksAndValidationTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String VALID =
      "{\"category\":\"billing\",\"priority\":\"high\",\"confidence\":0.9}";
  private static final String TICKET = "{\"variables\":{\"ticket\":\"I was charged twice\"}}";

  @TempDir Path dir;
  MockWebServer llama;
  MockWebServer gpt;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    llama = new MockWebServer();
    llama.start();
    gpt = new MockWebServer();
    gpt.start();
    sidecar =
        Sidecar.start(
            dir,
            """
            backends:
              - name: llama
                provider: vllm
                baseUrl: "%s"
                model: llama-3.3-70b
                pricing: {inputPerMillionTokens: 1, outputPerMillionTokens: 2}
              - {name: gpt, provider: openai-compatible, baseUrl: "%s", model: gpt-4o, locality: external}
            routes:
              - {name: bulk, targets: [{backend: llama}, {backend: gpt, priority: 1}], maxAttempts: 4}
            tasks:
              - name: classify-ticket
                route: bulk
                prompt:
                  system: You classify support tickets.
                  user: "Classify this ticket: {{ticket}}"
                variables: [{name: ticket}]
                output:
                  schema:
                    type: object
                    properties:
                      category: {enum: [billing, bug, other]}
                      priority: {enum: [low, normal, high]}
                      confidence: {type: number, minimum: 0, maximum: 1}
                    required: [category, priority, confidence]
                  maxRepairAttempts: 1
                parameters: {temperature: 0, maxTokens: 100}
            """
                .formatted(llama.url("/v1"), gpt.url("/v1")));
  }

  @AfterEach
  void stop() {
    sidecar.close();
    llama.close();
    gpt.close();
  }

  @Test
  void aTaskRendersItsPromptAndReturnsValidatedOutputWithAccounting() throws Exception {
    llama.enqueue(ok(vllmCompletion("```json\n" + VALID + "\n```", "stop")));

    HttpResponse<String> r = sidecar.post("/v1/tasks/classify-ticket", TICKET);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode out = MAPPER.readTree(r.body());
    assertThat(out.path("output").path("category").asText()).isEqualTo("billing");
    assertThat(out.path("backend").asText()).isEqualTo("llama");
    assertThat(out.path("model").asText()).isEqualTo("llama-3.3-70b");
    assertThat(out.path("attempts").asInt()).isEqualTo(1);
    assertThat(out.path("usage").path("total_tokens").asInt()).isEqualTo(37);
    assertThat(out.path("cost_usd").asDouble()).isEqualTo((25 * 1 + 12 * 2) / 1e6);
    JsonNode sent = MAPPER.readTree(llama.takeRequest().getBody().utf8());
    assertThat(sent.path("messages").get(1).path("content").asText())
        .isEqualTo("Classify this ticket: I was charged twice");
    assertThat(sent.path("structured_outputs").path("json").path("required").size()).isEqualTo(3);
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(100);
  }

  @Test
  void aTaskIsAModelAppsCanRetrieve() throws Exception {
    HttpResponse<String> r = sidecar.get("/v1/models/classify-ticket");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode model = MAPPER.readTree(r.body());
    assertThat(model.path("object").asText()).isEqualTo("model");
    assertThat(model.path("owned_by").asText()).isEqualTo("aihandler:task");
    assertThat(
            MAPPER.readTree(sidecar.get("/v1/models").body()).path("data").findValuesAsText("id"))
        .containsExactly("classify-ticket", "bulk", "llama", "gpt");
  }

  @Test
  void aTaskRequestRefusesFieldsTheTaskWouldNotUse() throws Exception {
    HttpResponse<String> r =
        sidecar.post(
            "/v1/tasks/classify-ticket",
            "{\"variables\": {\"ticket\": \"I was charged twice\"}, \"temperature\": 1.5}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = MAPPER.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("unsupported_parameter");
    assertThat(error.path("param").asText()).isEqualTo("temperature");
    assertThat(llama.getRequestCount()).isZero();
  }

  @Test
  void invalidOutputIsRepairedWithTheValidationErrors() throws Exception {
    llama.enqueue(
        ok(
            vllmCompletion(
                "{\"category\":\"billing\",\"priority\":\"asap\",\"confidence\":0.9}", "stop")));
    llama.enqueue(ok(vllmCompletion(VALID, "stop")));

    JsonNode out = MAPPER.readTree(sidecar.post("/v1/tasks/classify-ticket", TICKET).body());

    assertThat(out.path("output").path("priority").asText()).isEqualTo("high");
    assertThat(out.path("attempts").asInt()).isEqualTo(2);
    llama.takeRequest();
    JsonNode repair = MAPPER.readTree(llama.takeRequest().getBody().utf8());
    JsonNode messages = repair.path("messages");
    assertThat(messages.get(messages.size() - 2).path("role").asText()).isEqualTo("assistant");
    assertThat(messages.get(messages.size() - 1).path("content").asText()).contains("priority");
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_repair_attempts_total{backend=\"llama\",task=\"classify-ticket\"} 1.0",
            "aihandler_validations_total{attempt=\"first\",backend=\"llama\",result=\"invalid\","
                + "task=\"classify-ticket\"} 1.0",
            "aihandler_validations_total{attempt=\"repair\",backend=\"llama\",result=\"valid\","
                + "task=\"classify-ticket\"} 1.0")
        .doesNotContain("attempt=\"first\",backend=\"llama\",result=\"valid\"");
  }

  @Test
  void aTruncatedAnswerIsInvalidAndFallsBackAfterTheRepairsAreSpent() throws Exception {
    llama.enqueue(
        ok(
            vllmCompletion(
                "{\"category\":\"billing\",\"priority\":\"high\",\"confidence\":0.9}", "length")));
    llama.enqueue(ok(vllmCompletion("{\"category\":", "length")));
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));

    JsonNode out = MAPPER.readTree(sidecar.post("/v1/tasks/classify-ticket", TICKET).body());

    assertThat(out.path("backend").asText()).isEqualTo("gpt");
    assertThat(out.path("attempts").asInt()).isEqualTo(3);
    assertThat(sidecar.metrics())
        .contains(
            "aihandler_fallbacks_total{backend=\"llama\",reason=\"invalidOutput\",route=\"bulk\",task=\"classify-ticket\"} 1.0")
        .contains(
            "aihandler_validation_failures_total{backend=\"llama\",task=\"classify-ticket\"} 2.0");
  }

  @Test
  void whenNoBackendProducesValidOutputTheErrorSaysSo() throws Exception {
    for (int i = 0; i < 2; i++) {
      llama.enqueue(ok(vllmCompletion("nope", "stop")));
      gpt.enqueue(ok(openAiCompletion("{\"category\":\"weather\"}", "stop")));
    }

    HttpResponse<String> r = sidecar.post("/v1/tasks/classify-ticket", TICKET);

    assertThat(r.statusCode()).isEqualTo(502);
    JsonNode err = MAPPER.readTree(r.body()).path("error");
    assertThat(err.path("code").asText()).isEqualTo("invalid_output");
    assertThat(err.path("message").asText()).contains("gpt").contains("does not match the schema");
  }

  @Test
  void taskRequestErrorsAreClear() throws Exception {
    HttpResponse<String> missing = sidecar.post("/v1/tasks/classify-ticket", "{\"variables\":{}}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("ticket");

    HttpResponse<String> unknownVar =
        sidecar.post(
            "/v1/tasks/classify-ticket", "{\"variables\":{\"ticket\":\"x\",\"tikcet\":\"y\"}}");
    assertThat(unknownVar.statusCode()).isEqualTo(400);
    assertThat(unknownVar.body()).contains("tikcet");

    HttpResponse<String> unknownTask = sidecar.post("/v1/tasks/nothing", TICKET);
    assertThat(unknownTask.statusCode()).isEqualTo(404);
    assertThat(MAPPER.readTree(unknownTask.body()).path("error").path("code").asText())
        .isEqualTo("task_not_found");
    assertThat(llama.getRequestCount()).isZero();
  }

  @Test
  void aStreamedTaskIsValidatedBeforeAnyByteIsSent() throws Exception {
    llama.enqueue(ok(vllmCompletion("{\"category\":\"bug\"}", "stop")));
    llama.enqueue(ok(vllmCompletion(VALID, "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"classify-ticket\",\"stream\":true,\"messages\":[],\"variables\":{\"ticket\":\"charged twice\"}}");

    assertThat(r.body())
        .doesNotContain("\\\"bug\\\"")
        .contains("billing")
        .endsWith("data: [DONE]\n\n");
  }
}
