package io.aihandler.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.operator.tls.RotatingKeyManager;
import io.aihandler.operator.tls.WebhookTlsMaterial;
import io.aihandler.operator.tls.WebhookTlsRenewal;
import io.aihandler.operator.tls.WebhookTlsSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhooks over real HTTPS, as the API server calls them. */
class AdmissionWebhookServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final WebhookTlsSettings TLS = WebhookTlsSettings.defaults("aihandler-system");

  private RotatingKeyManager keys;
  private AdmissionWebhookServer server;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    WebhookTlsMaterial material =
        WebhookTlsRenewal.decide(Optional.empty(), TLS, Instant.now()).material();
    keys = new RotatingKeyManager(material);
    Workflow workflow =
        Serialization.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata: {name: wf, namespace: team}
            spec: {policyRef: {name: p}, tasks: [{name: t, route: r}]}
            """,
            Workflow.class);
    server =
        new AdmissionWebhookServer(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            keys,
            Map.of(
                "/mutate-pods",
                new AdmissionController<Pod>(
                    new SidecarInjectionWebhook(
                        (namespace, name) -> Optional.of(workflow).filter(w -> name.equals("wf")),
                        SidecarInjectionSettings.defaults())),
                "/validate-workflows",
                new AdmissionController<Workflow>(new WorkflowValidationWebhook())),
            new AdmissionMetrics(registry));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static final String POD_REVIEW =
      """
      {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
       "request": {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
         "kind": {"group": "", "version": "v1", "kind": "Pod"},
         "resource": {"group": "", "version": "v1", "resource": "pods"},
         "namespace": "team", "operation": "CREATE",
         "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
         "object": {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"generateName": "app-", "labels": {"aihandler.io/workflow": "wf"}},
           "spec": {"containers": [{"name": "app", "image": "app:1"}]}},
         "dryRun": false}}
      """;

  @Test
  void answersAnAdmissionReviewWithAJsonPatch() throws Exception {
    Response response = post("/mutate-pods", POD_REVIEW, keys.current());
    assertThat(response.status()).isEqualTo(200);
    JsonNode review = JSON.readTree(response.body());
    assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(review.at("/response/uid").asText())
        .isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(review.at("/response/allowed").asBoolean()).isTrue();
    assertThat(review.at("/response/patchType").asText()).isEqualTo("JSONPatch");
    String patch =
        new String(
            java.util.Base64.getDecoder().decode(review.at("/response/patch").asText()),
            StandardCharsets.UTF_8);
    assertThat(patch).contains("aihandler-router");
  }

  private static final String UNLABELLED_POD_REVIEW =
      POD_REVIEW.replace("\"labels\": {\"aihandler.io/workflow\": \"wf\"}", "\"labels\": {}");

  private static final String WORKFLOW_REVIEW =
      """
      {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
       "request": {"uid": "b1c2d3e4-6393-11e8-b7cc-42010a800002",
         "kind": {"group": "aihandler.io", "version": "v1alpha1", "kind": "Workflow"},
         "resource": {"group": "aihandler.io", "version": "v1alpha1", "resource": "workflows"},
         "namespace": "team", "operation": "CREATE",
         "userInfo": {"username": "alice"},
         "object": {"apiVersion": "aihandler.io/v1alpha1", "kind": "Workflow",
           "metadata": {"name": "wf", "namespace": "team"},
           "spec": {"policyRef": {"name": "p"}, "tasks": [{"name": "classify", "route": "r",
             "prompt": {"user": "Ticket {{ticket}} from {{customer}}"},
             "variables": [{"name": "ticket"}]}]}},
         "dryRun": false}}
      """;

  private double admissions(String webhook, String result) {
    Counter counter =
        registry
            .find("aihandler.operator.admissions")
            .tags("webhook", webhook, "result", result)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void countsEveryReviewByWebhookAndResult() throws Exception {
    assertThat(post("/mutate-pods", POD_REVIEW, keys.current()).status()).isEqualTo(200);
    assertThat(post("/mutate-pods", UNLABELLED_POD_REVIEW, keys.current()).status()).isEqualTo(200);
    Response refused = post("/validate-workflows", WORKFLOW_REVIEW, keys.current());
    assertThat(JSON.readTree(refused.body()).at("/response/allowed").asBoolean()).isFalse();
    assertThat(post("/validate-workflows", "{not json", keys.current()).status()).isEqualTo(400);

    assertThat(admissions("mutate-pods", "allowed")).isEqualTo(1);
    assertThat(admissions("mutate-pods", "skipped")).isEqualTo(1);
    assertThat(admissions("validate-workflows", "denied")).isEqualTo(1);
    assertThat(admissions("validate-workflows", "error")).isEqualTo(1);
    assertThat(admissions("mutate-pods", "denied")).isZero();
    assertThat(admissions("validate-workflows", "allowed")).isZero();
  }

  @Test
  void refusesWhatIsNotAnAdmissionReview() throws Exception {
    assertThat(post("/mutate-pods", "{not json", keys.current()).status()).isEqualTo(400);
    assertThat(post("/mutate-pods", "{\"kind\": \"AdmissionReview\"}", keys.current()).status())
        .isEqualTo(400);
  }

  @Test
  void servesARenewedCertificateFromTheNextConnectionOn() throws Exception {
    WebhookTlsMaterial first = keys.current();
    assertThat(post("/mutate-pods", POD_REVIEW, first).serverCertificate())
        .isEqualTo(first.servingCertificate());

    // A renamed Service needs a certificate with the new name: renewed now, same CA.
    WebhookTlsSettings renamed =
        new WebhookTlsSettings(
            TLS.namespace(),
            TLS.secretName(),
            "aihandler-admission",
            TLS.mutatingWebhookConfiguration(),
            TLS.validatingWebhookConfiguration(),
            TLS.authorityValidity(),
            TLS.certificateValidity());
    WebhookTlsMaterial renewed =
        WebhookTlsRenewal.decide(Optional.of(first), renamed, Instant.now()).material();
    assertThat(renewed.servingCertificate()).isNotEqualTo(first.servingCertificate());
    keys.update(renewed);

    assertThat(post("/mutate-pods", POD_REVIEW, first).serverCertificate())
        .isEqualTo(renewed.servingCertificate());
  }

  private record Response(int status, String body, Certificate serverCertificate) {}

  private Response post(String path, String body, WebhookTlsMaterial trusted) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trusted.currentAuthority());
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);

    var connection =
        (HttpsURLConnection)
            URI.create("https://127.0.0.1:" + server.port() + path).toURL().openConnection();
    connection.setSSLSocketFactory(context.getSocketFactory());
    // The certificate names the Service (checked in WebhookTlsKeeperTest); here we dial 127.0.0.1.
    connection.setHostnameVerifier((host, session) -> true);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    int status = connection.getResponseCode();
    Certificate certificate = connection.getServerCertificates()[0];
    try (InputStream in =
        status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
      return new Response(
          status, new String(in.readAllBytes(), StandardCharsets.UTF_8), certificate);
    } finally {
      connection.disconnect();
    }
  }
}
