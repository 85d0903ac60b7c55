package io.aihandler.router.shadow;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.aihandler.router.testing.LogCapture;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.router.testing.Sidecar;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow evaluation in a real sidecar: a hosted primary and an in-cluster candidate (and the other
 * way round for the data-class rules), both MockWebServer stand-ins answering as OpenAI and vLLM
 * do.
 */
class ShadowEvaluationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TICKET = "{\"variables\":{\"ticket\":\"I was charged twice\"}}";
  private static final String VALID =
      "{\"category\":\"billing\",\"priority\":\"high\",\"confidence\":0.9,"
          + "\"refund\":{\"wanted\":true,\"amount\":12}}";
  private static final String SAME_OTHER_SPELLING =
      "{\"priority\":\"high\",\"category\":\"billing\",\"confidence\":0.90,"
          + "\"refund\":{\"amount\":12.0,\"wanted\":true}}";
  private static final String DIFFERENT_PRIORITY =
      "{\"category\":\"billing\",\"priority\":\"low\",\"confidence\":0.9,"
          + "\"refund\":{\"wanted\":true,\"amount\":12}}";
  private static final String INVALID =
      "{\"category\":\"billing\",\"priority\":\"asap\",\"confidence\":0.9}";

  @TempDir Path dir;
  MockWebServer gpt;
  MockWebServer llama;
  Sidecar sidecar;

  @BeforeEach
  void upstreams() throws Exception {
    gpt = new MockWebServer();
    gpt.start();
    llama = new MockWebServer();
    llama.start();
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    gpt.close();
    llama.close();
  }

  private void start(String sidecarSettings, String llamaLimits, String cap) throws Exception {
    start(sidecarSettings, llamaLimits, cap, "1");
  }

  private void start(String sidecarSettings, String llamaLimits, String cap, String sampleRate)
      throws Exception {
    sidecar =
        Sidecar.start(
            dir,
            """
            sidecar: {%s}
            backends:
              - name: gpt
                provider: openai-compatible
                baseUrl: "%s"
                model: gpt-4o
                locality: external
                pricing: {inputPerMillionTokens: 2.5, outputPerMillionTokens: 10}
              - name: llama
                provider: vllm
                baseUrl: "%s"
                model: llama-3.3-70b
                pricing: {inputPerMillionTokens: 1, outputPerMillionTokens: 2}
                %s
            dataClasses:
              - {name: internal, allowedLocalities: [in-cluster, external]}
              - {name: restricted, allowedLocalities: [in-cluster]}
            routes:
              - {name: hosted, targets: [{backend: gpt}], maxAttempts: 2}
              - name: local
                targets: [{backend: llama}]
                maxAttempts: 2
                circuitBreaker: {minimumCalls: 2, windowSize: 2, openDuration: 1m}
              - name: local-first
                strategy: failover
                targets: [{backend: llama, priority: 0}, {backend: gpt, priority: 1}]
            tasks:
              - name: classify
                route: hosted
                dataClass: internal
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
                      refund:
                        type: object
                        properties:
                          wanted: {type: boolean}
                          amount: {type: number}
                    required: [category, priority, confidence]
                  maxRepairAttempts: 1
                parameters: {temperature: 0, maxTokens: 100}
                evaluate:
                  candidates: [{backend: llama, sampleRate: %s}]
                  %s
              - name: triage
                route: local
                dataClass: internal
                prompt: {user: "Triage: {{ticket}}"}
                variables: [{name: ticket}]
                parameters: {maxTokens: 50}
                evaluate:
                  candidates: [{backend: gpt, sampleRate: 1}]
              - name: sort
                route: local-first
                dataClass: internal
                prompt: {user: "Sort: {{ticket}}"}
                variables: [{name: ticket}]
                parameters: {maxTokens: 50}
                evaluate:
                  candidates: [{backend: llama, sampleRate: 1}]
            """
                .formatted(
                    sidecarSettings,
                    gpt.url("/v1"),
                    llama.url("/v1"),
                    llamaLimits,
                    sampleRate,
                    cap));
  }

  private void start() throws Exception {
    start("", "", "");
  }

  @Test
  void aSampledRequestIsMirroredAfterTheAnswerAndJudgedAndCompared() throws Exception {
    start();
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    llama.enqueue(ok(vllmCompletion(SAME_OTHER_SPELLING, "stop")));

    try (LogCapture logs = new LogCapture()) {
      HttpResponse<String> r = sidecar.post("/v1/tasks/classify", TICKET);

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode out = JSON.readTree(r.body());
      assertThat(out.path("backend").asText()).isEqualTo("gpt");
      assertThat(out.path("output")).isEqualTo(JSON.readTree(VALID));
      await(() -> value("aihandler_shadow_agreement_total", "measure", "exact") > 0);

      JsonNode primarySent = JSON.readTree(gpt.takeRequest().getBody().utf8());
      JsonNode shadowSent = JSON.readTree(llama.takeRequest().getBody().utf8());
      assertThat(shadowSent.path("messages")).isEqualTo(primarySent.path("messages"));
      assertThat(shadowSent.path("model").asText()).isEqualTo("llama-3.3-70b");
      assertThat(shadowSent.path("max_tokens").asInt()).isEqualTo(100);
      assertThat(shadowSent.path("structured_outputs").path("json").path("required").size())
          .isEqualTo(3);

      assertThat(answers("classify", "gpt", "primary", "valid_first_try")).isEqualTo(1);
      assertThat(answers("classify", "llama", "shadow", "valid_first_try")).isEqualTo(1);
      assertThat(
              value(
                  "aihandler_shadow_agreement_total",
                  "backend",
                  "llama",
                  "measure",
                  "exact",
                  "result",
                  "agree"))
          .isEqualTo(1);
      // category, priority, confidence, refund.wanted, refund.amount
      assertThat(value("aihandler_shadow_agreement_total", "measure", "field", "result", "agree"))
          .isEqualTo(5);
      assertThat(
              value(
                  "aihandler_task_tokens_total",
                  "backend",
                  "llama",
                  "role",
                  "shadow",
                  "direction",
                  "input"))
          .isEqualTo(25);
      assertThat(
              value(
                  "aihandler_task_tokens_total",
                  "backend",
                  "gpt",
                  "role",
                  "primary",
                  "direction",
                  "output"))
          .isEqualTo(10);
      assertThat(value("aihandler_task_cost_usd_total", "backend", "llama", "role", "shadow"))
          .isEqualTo((25 * 1 + 12 * 2) / 1e6);
      assertThat(value("aihandler_task_cost_usd_total", "backend", "gpt", "role", "primary"))
          .isEqualTo((19 * 2.5 + 10 * 10) / 1e6);
      assertThat(
              value(
                  "aihandler_task_answer_duration_seconds_count",
                  "backend",
                  "llama",
                  "role",
                  "shadow"))
          .isEqualTo(1);
      assertThat(
              value(
                  "aihandler_task_data_classes_total",
                  "task",
                  "classify",
                  "data_class",
                  "internal"))
          .isEqualTo(1);
      // The client's request was counted once, by the endpoint it called; the shadow call is not
      // a request of any client.
      assertThat(value("aihandler_requests_total", "task", "classify")).isEqualTo(1);

      // Routing facts only: neither the ticket nor any answer in logs or metrics.
      String everything = logs.all() + sidecar.metrics();
      assertThat(everything).doesNotContain("charged twice").doesNotContain("billing");
    }
  }

  @Test
  void aShadowAnswerIsRepairedLikeARealOneAndComparedFieldByField() throws Exception {
    start();
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    llama.enqueue(ok(vllmCompletion(INVALID, "stop")));
    llama.enqueue(ok(vllmCompletion(DIFFERENT_PRIORITY, "stop")));

    HttpResponse<String> r = sidecar.post("/v1/tasks/classify", TICKET);
    // The client has the primary's answer, whatever the candidate says.
    assertThat(JSON.readTree(r.body()).path("output")).isEqualTo(JSON.readTree(VALID));
    await(() -> value("aihandler_shadow_agreement_total", "measure", "exact") > 0);

    assertThat(llama.getRequestCount()).isEqualTo(2);
    llama.takeRequest();
    JsonNode repair = JSON.readTree(llama.takeRequest().getBody().utf8());
    assertThat(repair.path("messages").path(3).path("content").asText())
        .contains("not valid")
        .contains("priority");
    assertThat(answers("classify", "llama", "shadow", "valid_after_repair")).isEqualTo(1);
    assertThat(value("aihandler_shadow_agreement_total", "measure", "exact", "result", "disagree"))
        .isEqualTo(1);
    assertThat(value("aihandler_shadow_agreement_total", "measure", "field", "result", "agree"))
        .isEqualTo(4);
    assertThat(value("aihandler_shadow_agreement_total", "measure", "field", "result", "disagree"))
        .isEqualTo(1);
    // Both of the candidate's answers were paid for.
    assertThat(
            value(
                "aihandler_task_tokens_total",
                "backend",
                "llama",
                "role",
                "shadow",
                "direction",
                "input"))
        .isEqualTo(50);
  }

  @Test
  void aCandidateStillInvalidAfterItsRepairsIsJudgedInvalidAndNotCompared() throws Exception {
    start();
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    llama.enqueue(ok(vllmCompletion(INVALID, "stop")));
    llama.enqueue(ok(vllmCompletion(INVALID, "stop")));

    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);
    await(() -> answers("classify", "llama", "shadow", "invalid") > 0);

    assertThat(value("aihandler_shadow_agreement_total")).isZero();
    assertThat(answers("classify", "gpt", "primary", "valid_first_try")).isEqualTo(1);
  }

  @Test
  void aSlowCandidateDelaysNeitherTheAnswerNorTheNextRequest() throws Exception {
    start("", "", "", "0");
    OpenAIClient client = sdk();
    // Warm the client and the sidecar up without shadows, so the timed calls measure routing only.
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    classify(client);
    sidecar.rewriteConfig(
        java.nio.file.Files.readString(sidecar.configFile)
            .replace("{backend: llama, sampleRate: 0}", "{backend: llama, sampleRate: 1}"));
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    llama.enqueue(slow(ok(vllmCompletion(VALID, "stop")), 3_000));
    llama.enqueue(ok(vllmCompletion(VALID, "stop")));

    long started = System.nanoTime();
    ChatCompletion first = classify(client);
    long firstMillis = (System.nanoTime() - started) / 1_000_000;
    ChatCompletion second = classify(client);
    long bothMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(first.choices().getFirst().message().content().orElseThrow())
        .isEqualTo(second.choices().getFirst().message().content().orElseThrow())
        .contains("\"category\"");
    // The candidate takes 3s to answer the first shadow call; neither client call waited for it.
    assertThat(firstMillis).isLessThan(1_500);
    assertThat(bothMillis).isLessThan(2_000);
    // The slow shadow answer has not come yet; the fast one may have, on its own thread.
    assertThat(answers("classify", "llama", "shadow", "valid_first_try")).isLessThanOrEqualTo(1);
    await(() -> answers("classify", "llama", "shadow", "valid_first_try") == 2);
    // The stand-in took its time: the shadow call's own latency says so, the client's did not.
    assertThat(
            value(
                "aihandler_task_answer_duration_seconds_sum", "backend", "llama", "role", "shadow"))
        .isGreaterThanOrEqualTo(3.0);
  }

  @Test
  void aStreamedChatCallNamingTheTaskIsMirroredToo() throws Exception {
    start();
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    llama.enqueue(ok(vllmCompletion(VALID, "stop")));

    HttpResponse<String> r =
        sidecar.post(
            "/v1/chat/completions",
            "{\"model\":\"classify\",\"stream\":true,\"messages\":[],"
                + "\"variables\":{\"ticket\":\"I was charged twice\"}}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("data: [DONE]");
    await(() -> answers("classify", "llama", "shadow", "valid_first_try") == 1);
    JsonNode shadowSent = JSON.readTree(llama.takeRequest().getBody().utf8());
    assertThat(shadowSent.path("stream").asBoolean(false)).isFalse();
    assertThat(value("aihandler_shadow_agreement_total", "measure", "exact", "result", "agree"))
        .isEqualTo(1);
  }

  @Test
  void aRestrictedRequestIsNeverMirroredToAnExternalCandidate() throws Exception {
    start();
    llama.enqueue(ok(vllmCompletion("urgent", "stop")));
    llama.enqueue(ok(vllmCompletion("not urgent", "stop")));
    gpt.enqueue(ok(openAiCompletion("not urgent", "stop")));

    HttpResponse<String> restricted =
        sidecar.post("/v1/tasks/triage", TICKET, "x-aihandler-data-class", "restricted");
    assertThat(restricted.statusCode()).isEqualTo(200);
    await(() -> value("aihandler_shadow_skipped_total", "reason", "data_class") == 1);

    assertThat(gpt.getRequestCount()).isZero();
    assertThat(value("aihandler_shadow_skipped_total", "task", "triage", "backend", "gpt"))
        .isEqualTo(1);
    assertThat(
            value(
                "aihandler_task_data_classes_total",
                "task",
                "triage",
                "data_class",
                "internal+restricted"))
        .isEqualTo(1);

    // The same task without the header may be mirrored: the skip was the class's doing.
    assertThat(sidecar.post("/v1/tasks/triage", TICKET).statusCode()).isEqualTo(200);
    await(() -> answers("triage", "gpt", "shadow", "valid_first_try") == 1);
    assertThat(gpt.getRequestCount()).isEqualTo(1);
    // A task without an output schema: any answer is valid first try, and nothing is compared.
    assertThat(answers("triage", "llama", "primary", "valid_first_try")).isEqualTo(2);
    assertThat(value("aihandler_shadow_agreement_total")).isZero();
  }

  @Test
  void aPrimaryFailureIsNotMirroredButItsFailureIsJudged() throws Exception {
    start();
    gpt.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    gpt.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));

    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(502);
    await(() -> value("aihandler_shadow_skipped_total", "reason", "primary_failed") == 1);

    assertThat(llama.getRequestCount()).isZero();
    assertThat(answers("classify", "gpt", "primary", "failed")).isEqualTo(1);
  }

  @Test
  void shadowsBeyondTheirThreadsAndQueueAreDroppedAndCounted() throws Exception {
    start("shadowConcurrency: 1, shadowQueue: 1", "", "");
    for (int i = 0; i < 4; i++) {
      gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
      llama.enqueue(slow(ok(vllmCompletion(VALID, "stop")), 2_500));
    }

    for (int i = 0; i < 4; i++) {
      assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);
    }

    // One runs, one waits, two find no room (counted just after each response is sent).
    await(() -> value("aihandler_shadow_skipped_total", "reason", "busy") == 2);
    await(() -> answers("classify", "llama", "shadow", "valid_first_try") == 2);
    assertThat(llama.getRequestCount()).isEqualTo(2);
  }

  @Test
  void shadowsThatDoNotFitTheirHeapAreDropped() throws Exception {
    start("shadowMemoryBytes: 1024", "", "");
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));

    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);

    await(() -> value("aihandler_shadow_skipped_total", "reason", "busy") == 1);
    assertThat(llama.getRequestCount()).isZero();
  }

  @Test
  void theDailyCostCapStopsShadowCalls() throws Exception {
    // The first call's worst case (about 130 tokens at $2/M, twice for the repair) fits in the cap;
    // under the lowered cap the next ones do not, once the first's real cost is counted.
    start("", "", "dailyCostCap: 0.001");
    for (int i = 0; i < 3; i++) {
      gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
      llama.enqueue(ok(vllmCompletion(VALID, "stop")));
    }

    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);
    await(() -> answers("classify", "llama", "shadow", "valid_first_try") == 1);
    assertThat(value("aihandler_shadow_skipped_total", "reason", "cost_cap")).isZero();
    sidecar.rewriteConfig(
        java.nio.file.Files.readString(sidecar.configFile)
            .replace("dailyCostCap: 0.001", "dailyCostCap: 0.00005"));

    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);
    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);

    await(() -> value("aihandler_shadow_skipped_total", "reason", "cost_cap") == 2);
    assertThat(llama.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aCandidateAtItsOwnLimitIsSkipped() throws Exception {
    start("", "limits: {requestsPerMinute: 1}", "");
    for (int i = 0; i < 2; i++) {
      gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
      llama.enqueue(ok(vllmCompletion(VALID, "stop")));
    }

    sidecar.post("/v1/tasks/classify", TICKET);
    await(() -> answers("classify", "llama", "shadow", "valid_first_try") == 1);
    sidecar.post("/v1/tasks/classify", TICKET);

    await(() -> value("aihandler_shadow_skipped_total", "reason", "limits") == 1);
    assertThat(llama.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aCandidateWhoseCircuitIsOpenIsSkipped() throws Exception {
    start();
    // Two failures of the candidate as triage's primary open its circuit.
    llama.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    llama.enqueue(OpenAiFixtures.openAiError(500, "server_error", null, "boom"));
    assertThat(sidecar.post("/v1/tasks/triage", TICKET).statusCode()).isEqualTo(502);
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));

    HttpResponse<String> r = sidecar.post("/v1/tasks/classify", TICKET);

    assertThat(r.statusCode()).isEqualTo(200);
    await(() -> value("aihandler_shadow_skipped_total", "reason", "circuit_open") == 1);
    assertThat(llama.getRequestCount()).isEqualTo(2);
    assertThat(
            value("aihandler_shadow_skipped_total", "task", "triage", "reason", "primary_failed"))
        .isEqualTo(1);
  }

  @Test
  void aCandidateThatGaveTheAnswerItselfIsNotAskedAgain() throws Exception {
    start();
    llama.enqueue(ok(vllmCompletion("sorted", "stop")));
    assertThat(sidecar.post("/v1/tasks/sort", TICKET).statusCode()).isEqualTo(200);
    // A classify request next, whose shadow goes to the Llama: once it is judged, a shadow of the
    // sort request (queued earlier) would have been sent too.
    gpt.enqueue(ok(openAiCompletion(VALID, "stop")));
    llama.enqueue(ok(vllmCompletion(VALID, "stop")));
    assertThat(sidecar.post("/v1/tasks/classify", TICKET).statusCode()).isEqualTo(200);

    await(() -> answers("classify", "llama", "shadow", "valid_first_try") == 1);
    assertThat(llama.getRequestCount()).isEqualTo(2);
    assertThat(answers("sort", "llama", "primary", "valid_first_try")).isEqualTo(1);
    assertThat(value("aihandler_task_answers_total", "task", "sort", "role", "shadow")).isZero();
    assertThat(value("aihandler_shadow_skipped_total", "task", "sort")).isZero();
  }

  // ---- helpers ----

  private OpenAIClient sdk() {
    return OpenAIOkHttpClient.builder()
        .baseUrl(sidecar.baseUrl() + "/v1")
        .apiKey("unused")
        .maxRetries(0)
        .build();
  }

  private static ChatCompletion classify(OpenAIClient client) {
    return client
        .chat()
        .completions()
        .create(
            ChatCompletionCreateParams.builder()
                .model("classify")
                .messages(List.of())
                .putAdditionalBodyProperty(
                    "variables", JsonValue.from(Map.of("ticket", "I was charged twice")))
                .build());
  }

  static MockResponse slow(MockResponse r, long millis) {
    return r.newBuilder().headersDelay(millis, TimeUnit.MILLISECONDS).build();
  }

  private double answers(String task, String backend, String role, String result) {
    return value(
        "aihandler_task_answers_total",
        "task",
        task,
        "backend",
        backend,
        "role",
        role,
        "result",
        result);
  }

  /** The sum of a metric's series whose labels include all the given pairs. */
  private double value(String name, String... labels) {
    return sum(sidecar.metrics(), name, labels);
  }

  static double sum(String scrape, String name, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$");
    double total = 0;
    for (String l : scrape.split("\n")) {
      Matcher m = line.matcher(l);
      if (!m.matches()) {
        continue;
      }
      String tags = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        all &= tags.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10s");
      }
      Thread.sleep(20);
    }
  }

  @SuppressWarnings("unused")
  private static String body(RecordedRequest r) {
    return r.getBody() == null ? "" : r.getBody().utf8();
  }
}
