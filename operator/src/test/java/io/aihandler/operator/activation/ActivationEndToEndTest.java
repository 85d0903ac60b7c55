package io.aihandler.operator.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.operator.AiHandlerOperator;
import io.aihandler.operator.OperatorSettings;
import io.aihandler.operator.tls.WebhookCertificates;
import io.aihandler.router.config.Activation;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole operator against the embedded API: a vLLM backend with {@code minReplicas: 0} starts at
 * zero, a sidecar's activation (over the TLS its rendered config trusts, with a token the API
 * server's TokenReview vouches for) takes its Deployment to one replica at once, and every caller
 * the backend is not for is refused, with no token anywhere.
 */
class ActivationEndToEndTest {

  private static final String SUPPORT_TOKEN = "eyJhbGciOi.support-app-token.sig-7d1f";
  private static final String OTHER_TOKEN = "eyJhbGciOi.other-app-token.sig-11aa";
  private static final String WRONG_AUDIENCE_TOKEN = "eyJhbGciOi.kube-api-token.sig-90bc";
  private static final String FORGED_TOKEN = "eyJhbGciOi.forged-token.sig-0000";

  private MockKubernetesApi api;
  private AiHandlerOperator operator;
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private PrintStream stderr;
  private SSLContext trust;

  @BeforeEach
  void start() throws Exception {
    stderr = System.err;
    System.setErr(new PrintStream(new TeeStream(stderr, logs), true, StandardCharsets.UTF_8));
    api = MockKubernetesApi.startWithCrds();
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: llama, namespace: llm-platform}
        spec:
          vllm:
            model: hf://meta-llama/Llama-3.1-8B-Instruct
            gpus: 2
            scaling: {minReplicas: 0, maxReplicas: 3, target: 5, scaleToZeroAfter: 30m}
          pricing: {gpuHourly: 2.5}
        """);
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: mistral, namespace: llm-platform}
        spec:
          vllm:
            model: hf://mistralai/Mistral-7B-Instruct-v0.3
            replicas: 0
        """);
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: RoutingPolicy
        metadata: {name: support-routing, namespace: support}
        spec:
          routes:
          - name: classification
            targets: [{backend: {name: llama, namespace: llm-platform}}]
            coldStartTimeout: 4m
            spillOver: false
        """);
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: Workflow
        metadata: {name: support-tickets, namespace: support}
        spec:
          policyRef: {name: support-routing}
          tasks: [{name: classify-ticket, route: classification}]
        """);
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: RoutingPolicy
        metadata: {name: other-routing, namespace: other}
        spec:
          routes:
          - name: chat
            targets: [{backend: {name: mistral, namespace: llm-platform}}]
        """);
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: Workflow
        metadata: {name: other-app, namespace: other}
        spec:
          policyRef: {name: other-routing}
          tasks: [{name: chat, route: chat}]
        """);
    api.tokens().issue(SUPPORT_TOKEN, "support", "ticket-app", "app-1", Activation.AUDIENCE);
    api.tokens().issue(OTHER_TOKEN, "other", "default", "other-1", Activation.AUDIENCE);
    api.tokens()
        .issue(
            WRONG_AUDIENCE_TOKEN,
            "support",
            "ticket-app",
            "app-1",
            "https://kubernetes.default.svc");

    OperatorSettings settings =
        OperatorSettings.fromEnvironment(Map.of("OPERATOR_NAMESPACE", "aihandler-system"))
            .forLocalUse(0, 0, ProviderEndpoints.PUBLIC);
    operator = AiHandlerOperator.start(api.client(), settings, Clock.systemUTC());
    Eventually.await(
        "both Workflows published",
        Duration.ofSeconds(20),
        () ->
            published("support", "support-tickets") != null
                && published("other", "other-app") != null);
    Eventually.await(
        "both backends reported",
        Duration.ofSeconds(20),
        () ->
            reported(backend("llama"))
                && reported(backend("mistral"))
                && api.client()
                        .apps()
                        .deployments()
                        .inNamespace("llm-platform")
                        .withName("llama")
                        .get()
                    != null);
    trust = trustingCaOf(published("support", "support-tickets").sidecar().activation());
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
    System.setErr(stderr);
  }

  @Test
  void aScaledToZeroBackendIsReadyByDesignAndRenderedColdWithTheActivationEndpoint() {
    ModelBackend llama = backend("llama");
    assertThat(deployment("llama").getSpec().getReplicas()).isZero();
    var ready =
        llama.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .findFirst()
            .orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("ScaledToZero");

    Eventually.await(
        "llama rendered scaled to zero",
        () ->
            published("support", "support-tickets")
                    .backend("llama")
                    .orElseThrow()
                    .capacity()
                    .state()
                == CapacityState.SCALED_TO_ZERO);
    RouterConfig config = published("support", "support-tickets");
    Backend backend = config.backend("llama").orElseThrow();
    assertThat(backend.capacity().modelBackend()).isEqualTo("llm-platform/llama");
    Activation activation = config.sidecar().activation();
    assertThat(activation.url())
        .isEqualTo("https://aihandler-webhook.aihandler-system.svc/activations");
    assertThat(activation.tokenPath()).isEqualTo("/var/run/secrets/aihandler.io/activation/token");
    assertThat(activation.caCertificate()).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(config.route("classification").orElseThrow().spillOver()).isFalse();
    assertThat(config.route("classification").orElseThrow().coldStartTimeout()).isEqualTo("4m");

    // A backend fixed at zero is suspended, not idle: Ready False, and no activation wakes it.
    var mistralReady =
        backend("mistral").getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .findFirst()
            .orElseThrow();
    assertThat(mistralReady.getStatus()).isEqualTo("False");
    assertThat(mistralReady.getReason()).isEqualTo("ScaledToZero");
  }

  @Test
  void anActivationTakesTheDeploymentFromZeroToOneAtOnce() throws Exception {
    Instant asked = Instant.now();
    Answer answer = activate(SUPPORT_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}");

    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.body())
        .contains("\"modelBackend\":\"llm-platform/llama\"")
        .contains("\"state\":\"scaled-to-zero\"");
    // Idempotent: a second sidecar asking at once is accepted and records nothing new.
    String recorded = backend("llama").getStatus().getLastActivationTime();
    Answer again = activate(SUPPORT_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}");
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.body()).contains("an activation was just recorded");
    assertThat(backend("llama").getStatus().getLastActivationTime()).isEqualTo(recorded);
    Eventually.await(
        "the Deployment at one replica",
        Duration.ofSeconds(5),
        () -> deployment("llama").getSpec().getReplicas() == 1);
    assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(5));

    // The Deployment is written before the status: wait for the decision to be recorded.
    Eventually.await(
        "the wake-up in the scaling history",
        () -> {
          var history = backend("llama").getStatus().getScalingHistory();
          return history != null && history.getLast().to() == 1;
        });
    ModelBackend llama = backend("llama");
    assertThat(Instant.parse(llama.getStatus().getLastActivationTime()))
        .isAfterOrEqualTo(asked.minusSeconds(1));
    var last = llama.getStatus().getScalingHistory().getLast();
    assertThat(last.from()).isZero();
    assertThat(last.to()).isEqualTo(1);
    assertThat(last.reason()).endsWith("scaling from zero at once");
    assertThat(llama.getSpec().vllm().scaling().minReplicas())
        .as("the spec is never written")
        .isZero();
    Eventually.await(
        "a ScaledFromZero event",
        () ->
            api.client().v1().events().inNamespace("llm-platform").list().getItems().stream()
                .anyMatch(e -> "ScaledFromZero".equals(e.getReason())));
    Eventually.await(
        "the config says starting",
        () ->
            published("support", "support-tickets")
                    .backend("llama")
                    .orElseThrow()
                    .capacity()
                    .state()
                == CapacityState.STARTING);

    // A sidecar activating again later, while the backend starts, is accepted too.
    Answer later = activate(SUPPORT_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}");
    assertThat(later.status()).isEqualTo(202);
    assertThat(later.body()).contains("\"state\":\"starting\"");
    assertThat(deployment("llama").getSpec().getReplicas()).isEqualTo(1);

    assertThat(operator.scrapeMetrics())
        .contains(
            "aihandler_operator_activations_total{backend=\"llm-platform/llama\",namespace=\"support\",result=\"accepted\"} 3.0");
  }

  @Test
  void callersTheBackendIsNotForAreRefusedAndNothingScales() throws Exception {
    int reviewsBefore = api.tokens().reviews();
    List<Answer> answers = new ArrayList<>();

    Answer otherNamespace = activate(OTHER_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}");
    answers.add(otherNamespace);
    assertThat(otherNamespace.status()).isEqualTo(403);
    assertThat(otherNamespace.body())
        .contains("no Workflow of namespace other routes to llm-platform/llama");

    Answer forged = activate(FORGED_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}");
    answers.add(forged);
    assertThat(forged.status()).isEqualTo(401);

    Answer wrongAudience =
        activate(WRONG_AUDIENCE_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}");
    answers.add(wrongAudience);
    assertThat(wrongAudience.status()).isEqualTo(401);

    Answer none = activate(null, "{\"modelBackend\": \"llm-platform/llama\"}");
    answers.add(none);
    assertThat(none.status()).isEqualTo(401);

    // A namespace whose Workflows do not use a backend cannot learn whether it exists.
    Answer missing = activate(SUPPORT_TOKEN, "{\"modelBackend\": \"llm-platform/no-such\"}");
    answers.add(missing);
    assertThat(missing.status()).isEqualTo(403);

    Answer malformed = activate(SUPPORT_TOKEN, "{\"modelBackend\": \"../../etc\"}");
    answers.add(malformed);
    assertThat(malformed.status()).isEqualTo(400);
    Answer extra =
        activate(SUPPORT_TOKEN, "{\"modelBackend\": \"llm-platform/llama\", \"replicas\": 9}");
    answers.add(extra);
    assertThat(extra.status()).isEqualTo(400);
    Answer huge = activate(SUPPORT_TOKEN, "{\"modelBackend\": \"" + "a".repeat(5000) + "\"}");
    answers.add(huge);
    assertThat(huge.status()).isEqualTo(413);

    // Fixed at zero replicas: its spec decides, so the activation says so.
    Answer suspended = activate(OTHER_TOKEN, "{\"modelBackend\": \"llm-platform/mistral\"}");
    answers.add(suspended);
    assertThat(suspended.status()).isEqualTo(409);

    assertThat(api.tokens().reviews() - reviewsBefore)
        .as("malformed and token-less requests cost no TokenReview")
        .isEqualTo(5);
    Thread.sleep(500);
    assertThat(deployment("llama").getSpec().getReplicas()).isZero();
    assertThat(backend("llama").getStatus().getLastActivationTime()).isNull();

    String metrics = operator.scrapeMetrics();
    assertThat(metrics)
        .contains("namespace=\"other\",result=\"forbidden\"")
        .contains("namespace=\"unknown\",result=\"unauthenticated\"")
        .contains("namespace=\"unknown\",result=\"invalid\"")
        .doesNotContain("no-such")
        .doesNotContain("../");
    for (String token : List.of(SUPPORT_TOKEN, OTHER_TOKEN, WRONG_AUDIENCE_TOKEN, FORGED_TOKEN)) {
      assertThat(answers).allSatisfy(a -> assertThat(a.body()).doesNotContain(token));
      assertThat(metrics).doesNotContain(token);
      assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(token);
      assertThat(api.client().getKubernetesSerialization().asYaml(backend("llama")))
          .doesNotContain(token);
      assertThat(
              api.client()
                  .getKubernetesSerialization()
                  .asYaml(api.client().v1().events().inAnyNamespace().list()))
          .doesNotContain(token);
    }
  }

  @Test
  void activationsAreRateLimitedPerNamespaceAndBackend() throws Exception {
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      answers.add(activate(SUPPORT_TOKEN, "{\"modelBackend\": \"llm-platform/llama\"}"));
    }

    assertThat(answers.subList(0, 10)).allMatch(a -> a.status() == 202 || a.status() == 200);
    Answer limited = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
    assertThat(Integer.parseInt(limited.retryAfter())).isBetween(1, 2);
    assertThat(limited.body()).contains("rate-limited");
    assertThat(operator.scrapeMetrics()).contains("result=\"rate_limited\"");
  }

  private record Answer(int status, String body, String retryAfter) {}

  private Answer activate(String token, String body) throws Exception {
    var connection =
        (HttpsURLConnection)
            URI.create("https://127.0.0.1:" + operator.webhookPort() + "/activations")
                .toURL()
                .openConnection();
    connection.setSSLSocketFactory(trust.getSocketFactory());
    // The certificate names the Service; the test reaches the listener on loopback.
    connection.setHostnameVerifier((host, session) -> true);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    if (token != null) {
      connection.setRequestProperty("Authorization", "Bearer " + token);
    }
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    int status = connection.getResponseCode();
    InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    return new Answer(status, text, connection.getHeaderField("Retry-After"));
  }

  /** TLS that trusts only the CA the rendered config hands the sidecar. */
  private static SSLContext trustingCaOf(Activation activation) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (X509Certificate ca : WebhookCertificates.certificatesFromPem(activation.caCertificate())) {
      store.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private RouterConfig published(String namespace, String workflow) {
    Workflow found =
        api.client().resources(Workflow.class).inNamespace(namespace).withName(workflow).get();
    if (found == null || found.getStatus() == null || found.getStatus().getConfigHash() == null) {
      return null;
    }
    var configMap =
        api.client().configMaps().inNamespace(namespace).withName(workflow + "-router").get();
    if (configMap == null) {
      return null;
    }
    try {
      return RouterConfigLoader.parse(configMap.getData().get("router.yaml"), workflow);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static boolean reported(ModelBackend backend) {
    return backend != null
        && backend.getStatus() != null
        && backend.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready"));
  }

  private ModelBackend backend(String name) {
    return api.client()
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName(name)
        .get();
  }

  private Deployment deployment(String name) {
    Deployment deployment =
        api.client().apps().deployments().inNamespace("llm-platform").withName(name).get();
    assertThat(deployment).as("Deployment " + name).isNotNull();
    return deployment;
  }

  private void create(String yaml) {
    api.client()
        .resource(api.client().getKubernetesSerialization().unmarshal(yaml, HasMetadata.class))
        .create();
  }

  /** Copies what the operator writes to stderr (its log) into a buffer the test reads. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    TeeStream(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      first.write(b);
      synchronized (second) {
        second.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      first.write(b, off, len);
      synchronized (second) {
        second.write(b, off, len);
      }
    }
  }
}
