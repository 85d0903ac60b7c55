package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.HostedFixtures;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.controllers.testing.ServerSideApplyDispatcher;
import io.aihandler.controllers.vllm.VllmBackend;
import io.aihandler.testing.prometheus.MonitoringPack;
import io.aihandler.testing.prometheus.PrometheusServer;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * The operator's side of the chart's dashboard and alerts against a real Prometheus scraping a
 * running operator's {@code /metrics}: a hosted backend whose key works and one whose key the
 * provider refuses, an autoscaled vLLM backend whose pod is still loading, a vLLM backend whose
 * Deployment the API server refuses, and admission reviews answered and failed. Every panel query
 * and alert expression that reads {@code aihandler_operator_*} runs through Prometheus's HTTP API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorMonitoringPackTest {

  private static final String GOOD_KEY = "sk-good-7d1e5a9c3b";
  private static final String BAD_KEY = "sk-revoked-4b2a8f6e1d";
  private static final String OPENAI_MODELS =
      "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1715367049,\"owned_by\":\"system\"}]}";
  private static final String OPENAI_401 =
      "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
  private static final MonitoringPack PACK = MonitoringPack.locate();

  @TempDir static Path dir;
  private final MockWebServer provider = new MockWebServer();
  private final HttpClient http = HttpClient.newHttpClient();
  private MockKubernetesApi api;
  private AiHandlerOperator operator;
  private PrometheusServer prometheus;

  @BeforeAll
  void runAnOperatorThroughTheOutcomesTheExpressionsRead() throws Exception {
    provider.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            boolean good = ("Bearer " + GOOD_KEY).equals(request.getHeaders().get("authorization"));
            return new MockResponse.Builder()
                .code(good ? 200 : 401)
                .addHeader("Content-Type", "application/json")
                .body(good ? OPENAI_MODELS : OPENAI_401)
                .build();
          }
        });
    provider.start();
    api = MockKubernetesApi.startWithCrds();
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
                Map.of(
                    "OPERATOR_NAMESPACE",
                    "aihandler-system",
                    "SIDECAR_IMAGE",
                    "registry.local/router:9"))
            .forLocalUse(0, 0, ProviderEndpoints.allAt(provider.url("/").toString()));
    operator = AiHandlerOperator.start(api.client(), settings, Clock.systemUTC());

    Map<String, Double> thresholds = new HashMap<>(PACK.defaultThresholds());
    thresholds.put("backendNotReadySeconds", 1.0);
    prometheus =
        PrometheusServer.start(
            "/metrics",
            List.of("127.0.0.1:" + operator.metricsPort()),
            List.of(MonitoringPack.writeThresholds(dir.resolve("thresholds.yaml"), thresholds)));
    prometheus.awaitUp(Duration.ofSeconds(30));

    KubernetesClient client = api.client();
    client.resource(HostedFixtures.sourceSecret("llm", "good-key", GOOD_KEY)).create();
    client.resource(HostedFixtures.sourceSecret("llm", "bad-key", BAD_KEY)).create();
    client.resource(HostedFixtures.hosted("llm", "gpt", "openai", "good-key", "")).create();
    client.resource(HostedFixtures.hosted("llm", "revoked", "openai", "bad-key", "")).create();
    client
        .resource(
            ModelBackends.fromYaml(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: ModelBackend
                metadata: {name: llama, namespace: models}
                spec:
                  vllm:
                    model: hf://meta-llama/Llama-3.1-8B-Instruct
                    scaling: {minReplicas: 1, maxReplicas: 3, metric: queue, target: 5}
                """))
        .create();
    Eventually.await(
        "the vLLM Deployment",
        () -> client.apps().deployments().inNamespace("models").withName("llama").get() != null);
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("llama-0")
                .withNamespace("models")
                .addToLabels(VllmBackend.BACKEND_LABEL, "llama")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("vllm")
                .withImage(VllmBackend.DEFAULT_IMAGE)
                .endContainer()
                .endSpec()
                .build())
        .create();
    // The API server refuses the Deployment of this one: each reconcile throws and is retried.
    api.refuse(
        new ServerSideApplyDispatcher.Refusal(
            "/deployments/broken",
            "spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]",
            "exceeded quota: gpus"));
    client
        .resource(
            ModelBackends.fromYaml(
                """
                apiVersion: aihandler.io/v1alpha1
                kind: ModelBackend
                metadata: {name: broken, namespace: models}
                spec:
                  vllm:
                    model: hf://mistralai/Mistral-7B-Instruct-v0.3
                """))
        .create();
    client.resource(HostedFixtures.workflow("support", "support-tickets", "p")).create();

    // Counters appear at their first increment: a second round gives each a rate.
    for (int round = 0; round < 2; round++) {
      assertThat(review("/mutate-pods", POD_REVIEW)).isEqualTo(200);
      assertThat(review("/mutate-pods", "not an admission review")).isIn(400, 422, 500);
      prometheus.awaitFreshScrape();
    }
    Eventually.await(
        "the reconciles of the refused backend keep failing under Prometheus's eyes",
        () ->
            prometheus.scalar(
                    "sum(increase(aihandler_operator_reconciles_total{kind=\"ModelBackend\",outcome=\"error\"}[1m]))")
                > 0);
    prometheus.awaitFreshScrape();
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
    provider.close();
  }

  @Test
  void everyOperatorPanelQueryReturnsSeriesOfTheBackends() {
    List<String> empty = new ArrayList<>();
    int run = 0;
    for (MonitoringPack.Query query : PACK.dashboardQueries()) {
      if (!query.expr().contains("aihandler_operator_")) {
        continue;
      }
      String expr =
          MonitoringPack.substitute(
              query.expr(),
              Map.of("namespace", ".*", "workflow", ".*", "task", ".*", "backend", ".*"),
              "1m");
      JsonNode result = prometheus.query(expr);
      run++;
      if (result.isEmpty()) {
        empty.add(query.panel() + ": " + expr);
      }
      for (JsonNode series : result) {
        if (series.path("metric").has("backend")) {
          assertThat(series.path("metric").path("backend").asText())
              .as(expr)
              .isIn("gpt", "revoked", "llama", "broken");
        }
      }
      String other =
          MonitoringPack.substitute(
              query.expr(),
              Map.of("namespace", ".*", "workflow", ".*", "task", ".*", "backend", "nothing"),
              "1m");
      if (query.expr().contains("$backend")) {
        assertThat(prometheus.query(other)).as("another backend: " + other).isEmpty();
      }
    }
    assertThat(empty).as("panel queries that returned nothing").isEmpty();
    assertThat(run).isGreaterThanOrEqualTo(8);
  }

  @Test
  void everyOperatorAlertExpressionFiresOnTheSeriesItShould() {
    Map<String, Set<Map<String, String>>> fired = new LinkedHashMap<>();
    for (MonitoringPack.Alert alert : PACK.alerts()) {
      if (!alert.expr().contains("aihandler_operator_")) {
        continue;
      }
      Set<Map<String, String>> series = new HashSet<>();
      for (JsonNode s : prometheus.query(alert.expr())) {
        Map<String, String> labels = new TreeMap<>();
        s.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        series.add(labels);
      }
      fired.put(alert.name(), series);
    }
    assertThat(fired)
        .containsOnlyKeys(
            "AIHandlerBackendCredentialsInvalid",
            "AIHandlerVllmBackendStuckLoading",
            "AIHandlerReconcileErrors",
            "AIHandlerWebhookErrors");
    assertThat(fired.get("AIHandlerBackendCredentialsInvalid"))
        .containsExactly(Map.of("namespace", "llm", "backend", "revoked"));
    assertThat(fired.get("AIHandlerVllmBackendStuckLoading"))
        .containsExactly(Map.of("namespace", "models", "backend", "llama"));
    assertThat(fired.get("AIHandlerReconcileErrors"))
        .containsExactly(Map.of("kind", "ModelBackend"));
    assertThat(fired.get("AIHandlerWebhookErrors"))
        .containsExactly(Map.of("webhook", "mutate-pods"));
  }

  @Test
  void everyMetricTheOperatorExposedIsDocumented() {
    assertThat(PACK.undocumented(prometheus)).isEmpty();
  }

  @Test
  void noKeyReachesPrometheus() {
    JsonNode everything = prometheus.query("{__name__=~\"aihandler_.+\"}");
    assertThat(everything).isNotEmpty();
    assertThat(everything.toString()).doesNotContain(GOOD_KEY).doesNotContain(BAD_KEY);
  }

  private static final String POD_REVIEW =
      """
      {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
       "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
         "namespace": "support", "operation": "CREATE",
         "object": {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"generateName": "app-", "labels": {"aihandler.io/workflow": "support-tickets"}},
           "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}}
      """;

  /** Posts a body to a webhook path over TLS, trusting the operator's own CA. */
  private int review(String path, String body) throws Exception {
    return WebhookClient.post(api.client(), operator.webhookPort(), path, body);
  }
}
