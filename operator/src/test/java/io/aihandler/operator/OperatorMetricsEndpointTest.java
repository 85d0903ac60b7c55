package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.HostedFixtures;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's own metrics as Prometheus scrapes them from {@code /metrics}: a hosted backend
 * whose key the provider accepts, an autoscaled vLLM backend and an admission review produce every
 * metric family, and deleting the vLLM backend removes its series.
 */
class OperatorMetricsEndpointTest {

  private static final String KEY = "sk-scrape-5f4e3d2c1b";
  private static final String OPENAI_MODELS =
      "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1715367049,\"owned_by\":\"system\"}]}";

  private final MockWebServer provider = new MockWebServer();
  private final HttpClient http = HttpClient.newHttpClient();
  private MockKubernetesApi api;
  private AiHandlerOperator operator;

  @BeforeEach
  void start() throws IOException {
    provider.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "application/json")
            .body(OPENAI_MODELS)
            .build());
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
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
    provider.close();
  }

  private String scrape() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean hasSeries(String text, String series) {
    return text.lines().anyMatch(line -> line.startsWith(series));
  }

  @Test
  void everyOperatorMetricIsScrapedAndADeletedBackendsSeriesGo() throws Exception {
    var client = api.client();
    client.resource(HostedFixtures.sourceSecret("llm", "openai-key", KEY)).create();
    client.resource(HostedFixtures.hosted("llm", "gpt", "openai", "openai-key", "")).create();
    ModelBackend llama =
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
    // A pod that is still loading: the autoscaler's next evaluation holds.
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
    assertThat(admit()).isEqualTo(200);

    List<String> expected =
        List.of(
            "aihandler_operator_reconciles_total{kind=\"ModelBackend\",outcome=\"ready\"}",
            "aihandler_operator_reconciles_total{kind=\"ModelBackend\",outcome=\"not_ready\"}",
            "aihandler_operator_reconcile_duration_seconds_bucket{kind=\"ModelBackend\",le=\"0.005\"}",
            "aihandler_operator_reconcile_duration_seconds_bucket{kind=\"ModelBackend\",le=\"30.0\"}",
            "aihandler_operator_credential_checks_total{backend=\"gpt\",namespace=\"llm\",result=\"valid\"} 1.0",
            "aihandler_operator_credentials_valid{backend=\"gpt\",namespace=\"llm\"} 1.0",
            "aihandler_operator_scaling_decisions_total{backend=\"llama\",direction=\"hold\",namespace=\"models\"}",
            "aihandler_operator_backend_desired_replicas{backend=\"llama\",namespace=\"models\"} 1.0",
            "aihandler_operator_backend_ready{backend=\"llama\",namespace=\"models\"} 0.0",
            "aihandler_operator_backend_not_ready_since_seconds{backend=\"llama\",namespace=\"models\"}",
            "aihandler_operator_admissions_total{result=\"allowed\",webhook=\"mutate-pods\"} 1.0");
    Eventually.await(
        "every operator metric in the scrape",
        () -> {
          String text = scrape();
          return expected.stream().allMatch(series -> hasSeries(text, series));
        });
    String text = scrape();
    assertThat(text).doesNotContain(KEY);
    assertThat(text).contains("# TYPE aihandler_operator_reconcile_duration_seconds histogram");

    client.resource(llama).delete();
    Eventually.await(
        "the deleted backend's series are gone",
        () -> {
          String after = scrape();
          return !after.contains("backend=\"llama\"")
              && hasSeries(after, "aihandler_operator_credentials_valid{backend=\"gpt\"");
        });
  }

  /** Posts an admission review of a pod that asks for a Workflow's sidecar: allowed, patched. */
  private int admit() throws Exception {
    client().resource(HostedFixtures.workflow("support", "support-tickets", "p")).create();
    return WebhookClient.post(
        client(),
        operator.webhookPort(),
        "/mutate-pods",
        """
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
         "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
           "namespace": "support", "operation": "CREATE",
           "object": {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"generateName": "app-", "labels": {"aihandler.io/workflow": "support-tickets"}},
             "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}}
        """);
  }

  private io.fabric8.kubernetes.client.KubernetesClient client() {
    return api.client();
  }
}
