package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.operator.tls.WebhookCertificates;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole operator process against the embedded API server: reconcilers, webhooks, endpoints. */
class AiHandlerOperatorTest {

  private MockKubernetesApi api;
  private AiHandlerOperator operator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    api = MockKubernetesApi.startWithCrds();
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: Workflow
        metadata: {name: support-tickets, namespace: support}
        spec:
          policyRef: {name: support-routing}
          tasks: [{name: classify-ticket, route: classification}]
        """);
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
                Map.of(
                    "OPERATOR_NAMESPACE",
                    "aihandler-system",
                    "SIDECAR_IMAGE",
                    "registry.local/router:9"))
            .forLocalUse(0, 0, ProviderEndpoints.PUBLIC);
    operator = AiHandlerOperator.start(api.client(), settings, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private void create(String yaml) {
    api.client()
        .resource(api.client().getKubernetesSerialization().unmarshal(yaml, HasMetadata.class))
        .create();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHealthReadinessAndMetrics() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    Eventually.await(
        "ready",
        () -> {
          try {
            return get("/readyz").statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        });
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains("# TYPE");
  }

  @Test
  void runsTheReconcilers() {
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: RoutingPolicy
        metadata: {name: support-routing, namespace: support}
        spec:
          routes:
          - name: classification
            targets: [{backend: {name: llama, namespace: llm-platform}}]
        """);
    Eventually.await(
        "policy status",
        () -> {
          RoutingPolicy policy =
              api.client()
                  .resources(RoutingPolicy.class)
                  .inNamespace("support")
                  .withName("support-routing")
                  .get();
          return policy.getStatus() != null && !policy.getStatus().getConditions().isEmpty();
        });
    RoutingPolicy policy =
        api.client()
            .resources(RoutingPolicy.class)
            .inNamespace("support")
            .withName("support-routing")
            .get();
    assertThat(policy.getStatus().getConditions())
        .anySatisfy(
            c -> assertThat(c.getMessage()).contains("ModelBackend llm-platform/llama not found"));
  }

  @Test
  void injectsTheSidecarOverTlsTheApiServerTrusts() throws Exception {
    Secret tls =
        api.client()
            .secrets()
            .inNamespace("aihandler-system")
            .withName("aihandler-webhook-tls")
            .get();
    assertThat(tls).as("the operator created its webhook TLS Secret").isNotNull();
    var authority =
        WebhookCertificates.certificatesFromPem(
                new String(
                    Base64.getDecoder().decode(tls.getData().get("ca.crt")),
                    StandardCharsets.US_ASCII))
            .get(0);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", authority);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    var connection =
        (HttpsURLConnection)
            URI.create("https://127.0.0.1:" + operator.webhookPort() + "/mutate-pods")
                .toURL()
                .openConnection();
    connection.setSSLSocketFactory(context.getSocketFactory());
    connection.setHostnameVerifier((host, session) -> true);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    try (OutputStream out = connection.getOutputStream()) {
      out.write(
          """
          {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
           "request": {"uid": "u-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
             "namespace": "support", "operation": "CREATE",
             "object": {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"generateName": "app-", "labels": {"aihandler.io/workflow": "support-tickets"}},
               "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}}
          """
              .getBytes(StandardCharsets.UTF_8));
    }
    assertThat(connection.getResponseCode()).isEqualTo(200);
    String answer = new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    var review =
        api.client()
            .getKubernetesSerialization()
            .unmarshal(answer, io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview.class);
    assertThat(review.getResponse().getAllowed()).isTrue();
    String patch =
        new String(
            Base64.getDecoder().decode(review.getResponse().getPatch()), StandardCharsets.UTF_8);
    assertThat(patch).contains("registry.local/router:9").contains("support-tickets-router");
  }
}
