package io.aihandler.router.monitoring;

import static io.aihandler.router.testing.OpenAiFixtures.ok;
import static io.aihandler.router.testing.OpenAiFixtures.openAiCompletion;
import static io.aihandler.router.testing.OpenAiFixtures.vllmCompletion;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.aihandler.router.abuse.SidecarProcess;
import io.aihandler.router.testing.EmbeddingStandIn;
import io.aihandler.router.testing.OpenAiFixtures;
import io.aihandler.testing.prometheus.MonitoringPack;
import io.aihandler.testing.prometheus.PrometheusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's dashboard and alerts against a real Prometheus scraping a real sidecar process: the
 * sidecar, with MockWebServer providers, is driven through every outcome the panels and alerts read
 * (success, repair, invalid output, fallback, upstream errors, a data-policy block, an open
 * circuit, a stream, embeddings, a refused and an unreadable config), twice so that every counter
 * has a rate; then every sidecar panel query and every sidecar alert expression of the shipped
 * files runs through Prometheus's HTTP API. Prometheus adds {@code namespace}, {@code workflow} and
 * {@code pod} to the target as the chart's PodMonitor does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SidecarMonitoringPackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MonitoringPack PACK = MonitoringPack.locate();
  private static final Map<String, String> TARGET_LABELS =
      Map.of("namespace", "shop", "workflow", "support", "pod", "support-0");
  private static final String VALID =
      "{\"category\":\"billing\",\"priority\":\"high\",\"confidence\":0.9}";
  private static final String INVALID =
      "{\"category\":\"billing\",\"priority\":\"asap\",\"confidence\":0.9}";
  private static final Set<String> TASKS = Set.of("classify", "summarize", "none");
  private static final Set<String> BACKENDS = Set.of("llama", "gpt", "flaky", "bge", "none");

  @TempDir static Path dir;
  private MockWebServer llama;
  private MockWebServer gpt;
  private MockWebServer flaky;
  private EmbeddingStandIn bge;
  private SidecarProcess sidecar;
  private PrometheusServer prometheus;
  private OpenAIClient client;
  private final HttpClient http = HttpClient.newHttpClient();
  private Path config;

  @BeforeAll
  void driveASidecarThroughEveryOutcomeUnderARealPrometheus() throws Exception {
    llama = provider(SidecarMonitoringPackTest::llamaAnswer);
    gpt = provider(SidecarMonitoringPackTest::gptAnswer);
    flaky = provider(request -> OpenAiFixtures.vllmError(503, "ServiceUnavailable", "overloaded"));
    bge = new EmbeddingStandIn(EmbeddingStandIn.Api.VLLM, 7, 8);
    config = dir.resolve("router.yaml");
    Files.writeString(config, config());
    sidecar = SidecarProcess.start(config);
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + sidecar.port() + "/v1")
            .apiKey("not-an-upstream-key")
            .maxRetries(0)
            .build();

    Path thresholds = MonitoringPack.writeThresholds(dir.resolve("thresholds.yaml"), thresholds());
    prometheus =
        PrometheusServer.startLabelled(
            "/metrics",
            Map.of("127.0.0.1:" + sidecar.managementPort(), TARGET_LABELS),
            List.of(thresholds));
    prometheus.awaitUp(Duration.ofSeconds(30));

    // Counters are created on their first increment: Prometheus sees them appear at 1 and can
    // only measure a rate from the second round on.
    for (int round = 0; round < 2; round++) {
      everyOutcome();
      prometheus.awaitFreshScrape();
    }
    refuseAConfigThenLoseIt();
    prometheus.awaitFreshScrape();
  }

  @AfterAll
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {llama, gpt, flaky, bge}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void everySidecarPanelQueryReturnsSeriesOfTheConfigsNamesForAllAndForTheWorkflow() {
    List<String> empty = new ArrayList<>();
    int run = 0;
    for (MonitoringPack.Query query : PACK.dashboardQueries()) {
      if (query.expr().contains("aihandler_operator_") || query.panel().startsWith("variable")) {
        continue;
      }
      for (Map<String, String> variables :
          List.of(variables(".*", ".*"), variables("shop", "support"))) {
        String expr = MonitoringPack.substitute(query.expr(), variables, "1m");
        JsonNode result = prometheus.query(expr);
        run++;
        if (result.isEmpty()) {
          empty.add(query.panel() + ": " + expr);
        }
        for (JsonNode series : result) {
          JsonNode metric = series.path("metric");
          if (metric.has("task")) {
            assertThat(TASKS).as(expr).contains(metric.path("task").asText());
          }
          if (metric.has("backend")) {
            assertThat(BACKENDS).as(expr).contains(metric.path("backend").asText());
          }
        }
      }
      String elsewhere = MonitoringPack.substitute(query.expr(), variables("nowhere", ".*"), "1m");
      assertThat(prometheus.query(elsewhere)).as("another namespace: " + elsewhere).isEmpty();
    }
    assertThat(empty).as("panel queries that returned nothing").isEmpty();
    assertThat(run).isGreaterThan(40);
  }

  @Test
  void everyMetricTheSidecarExposedIsDocumented() {
    assertThat(prometheus.query("count({__name__=~\"aihandler_.+\"})")).isNotEmpty();
    assertThat(PACK.undocumented(prometheus)).isEmpty();
  }

  @Test
  void theTemplateVariablesListTheWorkflowsTasksAndBackends() {
    Map<String, Set<String>> values = new HashMap<>();
    for (MonitoringPack.Query query : PACK.dashboardQueries()) {
      if (!query.panel().startsWith("variable ")) {
        continue;
      }
      var m =
          Pattern.compile("^label_values\\((.*), (\\w+)\\)$")
              .matcher(MonitoringPack.substitute(query.expr(), variables(".*", ".*"), "1m"));
      assertThat(m.matches()).as(query.expr()).isTrue();
      Set<String> found = new TreeSet<>();
      prometheus
          .query("group by (" + m.group(2) + ") (" + m.group(1) + ")")
          .forEach(s -> found.add(s.path("metric").path(m.group(2)).asText()));
      values.put(query.panel().substring("variable ".length()), found);
    }
    assertThat(values.get("namespace")).containsExactly("shop");
    assertThat(values.get("workflow")).containsExactly("support");
    assertThat(values.get("task")).containsExactlyInAnyOrder("classify", "summarize", "none");
    assertThat(values.get("backend"))
        .containsExactlyInAnyOrder("llama", "gpt", "flaky", "bge", "none");
  }

  @Test
  void keyPanelsShowWhatTheTrafficDid() {
    Map<String, String> all = variables(".*", ".*");
    assertThat(valueOf("First-try validity by task", 0, all, "task", "classify"))
        .as("classify: of 3 first answers of llama and 2 of gpt per round, 3 valid")
        .isBetween(0.3, 0.9);
    assertThat(valueOf("Open circuits", 0, all, "backend", "flaky")).isEqualTo(1);
    assertThat(valueOf("Open circuits", 0, all, "backend", "llama")).isZero();
    assertThat(valueOf("Data-policy blocks by data class", 0, all, "data_class", "restricted"))
        .isPositive();
  }

  @Test
  void everySidecarAlertExpressionFiresOnTheSeriesItShould() {
    Map<String, Set<Map<String, String>>> fired = new LinkedHashMap<>();
    for (MonitoringPack.Alert alert : PACK.alerts()) {
      if (alert.expr().contains("aihandler_operator_")) {
        continue;
      }
      Set<Map<String, String>> series = new java.util.HashSet<>();
      for (JsonNode s : prometheus.query(alert.expr())) {
        Map<String, String> labels = new java.util.TreeMap<>();
        s.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        series.add(labels);
      }
      fired.put(alert.name(), series);
    }
    Map<String, String> w = Map.of("namespace", "shop", "workflow", "support");
    assertThat(fired.get("AIHandlerTaskFirstTryValidityLow"))
        .containsExactlyInAnyOrder(
            with(w, "task", "classify", "backend", "llama"),
            with(w, "task", "classify", "backend", "gpt"));
    assertThat(fired.get("AIHandlerCircuitOpen")).containsExactly(with(w, "backend", "flaky"));
    assertThat(fired.get("AIHandlerDataPolicyBlocksSpiking"))
        .containsExactly(with(w, "data_class", "restricted"));
    assertThat(fired.get("AIHandlerSpendPerHourHigh")).containsExactly(w);
    assertThat(fired.get("AIHandlerRequestsFailing"))
        .containsExactlyInAnyOrder(
            with(w, "route", "bulk", "task", "classify"),
            with(w, "route", "flaky-only", "task", "none"));
    assertThat(fired.get("AIHandlerUpstreamErrorsHigh"))
        .contains(with(w, "backend", "llama"))
        .allSatisfy(s -> assertThat(s.get("backend")).isIn("llama", "flaky"));
    assertThat(fired.get("AIHandlerRequestLatencyP95High"))
        .containsExactlyInAnyOrder(
            with(w, "route", "bulk", "task", "classify"),
            with(w, "route", "bulk", "task", "summarize"),
            with(w, "route", "bulk", "task", "none"),
            with(w, "route", "emb", "task", "none"));
    assertThat(fired.get("AIHandlerTimeToFirstTokenP95High"))
        .containsExactly(with(w, "backend", "llama"));
    assertThat(fired.get("AIHandlerSidecarConfigRefused"))
        .containsExactly(with(w, "pod", "support-0", "file", "config"));
    assertThat(fired.get("AIHandlerSidecarConfigUnreadable"))
        .containsExactly(with(w, "pod", "support-0", "file", "config"));
  }

  // --- traffic ---

  private void everyOutcome() throws Exception {
    assertThat(task("ok").statusCode()).as("valid first answer").isEqualTo(200);
    assertThat(task("repair").statusCode()).as("valid after one repair").isEqualTo(200);
    assertThat(task("bad").statusCode()).as("invalid on both targets").isEqualTo(502);
    assertThat(task("down").statusCode()).as("llama 503s, falls back to gpt").isEqualTo(200);
    // restricted data: gpt (external) withheld from bulk, and the external-only route refused
    assertThat(chatWithDataClass("bulk").statusCode()).isEqualTo(200);
    assertThat(chatWithDataClass("external").statusCode()).isEqualTo(403);
    // flaky answers 503 until its circuit opens; then it is skipped
    for (int i = 0; i < 3; i++) {
      try {
        client.chat().completions().create(chat("flaky-only"));
      } catch (OpenAIServiceException expected) {
        assertThat(expected.statusCode()).isIn(502, 503);
      }
    }
    assertThat(client.chat().completions().create(chat("bulk")).choices()).isNotEmpty();
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> s =
        client.chat().completions().createStreaming(chat("summarize"))) {
      s.stream()
          .forEach(
              c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }
    assertThat(streamed.toString()).isEqualTo("Hello world");
    assertThat(
            client
                .embeddings()
                .create(
                    EmbeddingCreateParams.builder()
                        .model("emb")
                        .input("a ticket about billing")
                        .build())
                .data())
        .hasSize(1);
  }

  /** A config the sidecar refuses, then no config at all: both keep the last good one in use. */
  private void refuseAConfigThenLoseIt() throws Exception {
    int from = sidecar.logSize();
    Files.writeString(config, config().replace("maxAttempts: 4", "maxAttempts: 400"));
    assertThat(
            sidecar.awaitLog(
                from,
                Pattern.compile("cannot be used; keeping the last good one"),
                Duration.ofSeconds(10)))
        .as(sidecar.tail(20))
        .isPresent();
    prometheus.awaitFreshScrape();
    from = sidecar.logSize();
    Files.delete(config);
    assertThat(
            sidecar.awaitLog(
                from,
                Pattern.compile("keeping the last good one .* until it can be read"),
                Duration.ofSeconds(10)))
        .as(sidecar.tail(20))
        .isPresent();
    prometheus.awaitFreshScrape();
  }

  private HttpResponse<String> task(String ticket) throws Exception {
    return post(
        "/v1/tasks/classify", "{\"variables\": {\"ticket\": \"" + ticket + "-ticket\"}}", Map.of());
  }

  private HttpResponse<String> chatWithDataClass(String route) throws Exception {
    return post(
        "/v1/chat/completions",
        "{\"model\":\"" + route + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("X-AIHandler-Data-Class", "restricted"));
  }

  private HttpResponse<String> post(String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ChatCompletionCreateParams chat(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("hi").build();
  }

  // --- providers ---

  private static MockWebServer provider(
      java.util.function.Function<RecordedRequest, MockResponse> answer) throws Exception {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return answer.apply(request);
          }
        });
    server.start();
    return server;
  }

  /** llama: answers each ticket the way its name says; streams; 503 for "down". */
  private static MockResponse llamaAnswer(RecordedRequest request) {
    JsonNode body = body(request);
    String prompt = body.path("messages").toString();
    boolean repairing = prompt.contains("\"role\":\"assistant\"");
    if (body.path("stream").asBoolean()) {
      return OpenAiFixtures.sse(OpenAiFixtures.streamEvents(List.of("Hello", " world"), true));
    }
    if (prompt.contains("down-ticket")) {
      return OpenAiFixtures.vllmError(503, "ServiceUnavailable", "the engine is overloaded");
    }
    if (prompt.contains("bad-ticket") || (prompt.contains("repair-ticket") && !repairing)) {
      return ok(vllmCompletion(INVALID, "stop"));
    }
    return ok(vllmCompletion(prompt.contains("-ticket") ? VALID : "Hello", "stop"));
  }

  /** gpt: invalid for "bad", valid otherwise. */
  private static MockResponse gptAnswer(RecordedRequest request) {
    String prompt = body(request).path("messages").toString();
    if (prompt.contains("bad-ticket")) {
      return ok(openAiCompletion(INVALID, "stop"));
    }
    return ok(openAiCompletion(prompt.contains("-ticket") ? VALID : "Hello", "stop"));
  }

  private static JsonNode body(RecordedRequest request) {
    try {
      return JSON.readTree(request.getBody() == null ? "{}" : request.getBody().utf8());
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  private String config() {
    return """
        sidecar:
          managementHost: 127.0.0.1
          reloadInterval: 250ms
          shutdownGrace: 3s
        backends:
          - name: llama
            provider: vllm
            baseUrl: "%s"
            model: llama-3.3-70b
            pricing: {inputPerMillionTokens: 1, outputPerMillionTokens: 2}
          - name: gpt
            provider: openai-compatible
            locality: external
            baseUrl: "%s"
            model: gpt-4o
            pricing: {inputPerMillionTokens: 2.5, outputPerMillionTokens: 10}
          - {name: flaky, provider: openai-compatible, baseUrl: "%s", model: llama}
          - name: bge
            provider: vllm
            baseUrl: "%s"
            model: bge-m3
            capabilities: {chat: false, embeddings: {dimensions: 8}}
        routes:
          - name: bulk
            maxAttempts: 4
            backoff: {initial: 10ms, max: 20ms}
            targets: [{backend: llama, priority: 0}, {backend: gpt, priority: 1}]
          - {name: external, targets: [{backend: gpt}]}
          - name: flaky-only
            maxAttempts: 2
            backoff: {initial: 10ms, max: 20ms}
            circuitBreaker: {minimumCalls: 2, windowSize: 2, failureRateThreshold: 50, openDuration: 10m}
            targets: [{backend: flaky}]
          - {name: emb, targets: [{backend: bge}]}
        tasks:
          - name: classify
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
          - name: summarize
            route: bulk
        dataClasses:
          - {name: restricted, allowedLocalities: [in-cluster]}
        """
        .formatted(llama.url("/v1"), gpt.url("/v1"), flaky.url("/v1"), bge.baseUrl());
  }

  /** Thresholds low enough that the traffic above crosses each one. */
  private static Map<String, Double> thresholds() {
    Map<String, Double> t = new HashMap<>(PACK.defaultThresholds());
    t.put("firstTryValidity", 0.9);
    t.put("firstTryValidityMinAnswers", 1.0);
    t.put("dataPolicyBlocksPerMinute", 0.01);
    t.put("spendUsdPerHour", 0.0);
    t.put("requestErrorRatio", 0.01);
    t.put("upstreamErrorRatio", 0.01);
    t.put("requestP95Seconds", 0.0);
    t.put("timeToFirstTokenP95Seconds", 0.0);
    return t;
  }

  // --- helpers ---

  private static Map<String, String> variables(String namespace, String workflow) {
    return Map.of("namespace", namespace, "workflow", workflow, "task", ".*", "backend", ".*");
  }

  private double valueOf(
      String panel, int target, Map<String, String> variables, String label, String value) {
    MonitoringPack.Query query =
        PACK.dashboardQueries().stream().filter(q -> q.panel().equals(panel)).toList().get(target);
    JsonNode result = prometheus.query(MonitoringPack.substitute(query.expr(), variables, "1m"));
    for (JsonNode s : result) {
      if (value.equals(s.path("metric").path(label).asText())) {
        return Double.parseDouble(s.path("value").path(1).asText());
      }
    }
    throw new AssertionError(panel + ": no series with " + label + "=" + value + " in " + result);
  }

  private static Map<String, String> with(Map<String, String> base, String... labels) {
    Map<String, String> all = new java.util.TreeMap<>(base);
    for (int i = 0; i < labels.length; i += 2) {
      all.put(labels[i], labels[i + 1]);
    }
    return all;
  }
}
