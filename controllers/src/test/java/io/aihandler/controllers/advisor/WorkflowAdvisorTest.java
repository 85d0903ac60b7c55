package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.AdviceVerdict;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.TaskAdvice;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowSpec;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.workflow.WorkflowReconciler;
import io.aihandler.testing.prometheus.PrometheusServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The advisor end to end on fabric8's CRUD mock (with the SSA shim), next to the Workflow
 * reconciler as the operator runs them: a Workflow in, {@code status.tasks} out with the verdict
 * and its evidence, an Event when the verdict changes, and neither writer's status fields lost to
 * the other's patches. The metrics come from a real Prometheus scraping a real sidecar.
 */
class WorkflowAdvisorTest {

  private static final String MANIFESTS =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: claude, namespace: support}
      spec:
        hosted: {provider: openai-compatible, model: claude-sonnet-4-5,
                 baseUrl: "https://llm.example.com/v1"}
        pricing: {inputPerMillionTokens: 3.0, outputPerMillionTokens: 15.0}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama-3-3-70b, namespace: support}
      spec:
        vllm: {model: "hf://meta-llama/Llama-3.3-70B-Instruct", gpus: 4}
        pricing: {gpuHourly: 2.49}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: RoutingPolicy
      metadata: {name: routing, namespace: support}
      spec:
        routes:
        - name: classification
          targets:
          - backend: {name: claude}
        dataClasses:
        - {name: internal, allowedLocalities: [in-cluster, external]}
        - {name: restricted, allowedLocalities: [in-cluster]}
        defaultDataClass: internal
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: Workflow
      metadata: {name: support-tickets, namespace: support}
      spec:
        policyRef: {name: routing}
        tasks:
        - name: classify
          route: classification
          dataClass: internal
          prompt: {system: "Classify the ticket.", user: "{{ticket}}"}
          variables: [{name: ticket}]
          output:
            schema:
              type: object
              required: [category, priority, confidence]
              properties:
                category: {type: string, enum: [billing, bug, feature-request, account, other]}
                priority: {type: string, enum: [low, normal, high, urgent]}
                confidence: {type: number}
          evaluate:
            candidates:
            - backend: {name: llama-3-3-70b}
              sampleRate: 0.2
      """;

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeEach
  void applyTheManifests() {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    for (String document : MANIFESTS.split("(?m)^---$")) {
      HasMetadata object =
          client.getKubernetesSerialization().unmarshal(document, HasMetadata.class);
      client.resource(object).create();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (operator != null) {
      operator.close();
    }
    for (AutoCloseable closeable : closeLater.reversed()) {
      closeable.close();
    }
    api.close();
  }

  private void run(AdvisorSettings settings) {
    operator =
        RunningOperator.startAll(
            api,
            List.of(new WorkflowReconciler(), new WorkflowAdvisor(Clock.systemUTC(), settings)));
  }

  private Workflow workflow() {
    return client
        .resources(Workflow.class)
        .inNamespace("support")
        .withName("support-tickets")
        .get();
  }

  private Optional<Condition> condition(String type) {
    Workflow workflow = workflow();
    return workflow.getStatus() == null
        ? Optional.empty()
        : workflow.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals(type))
            .findFirst();
  }

  private Optional<TaskAdvice> classify() {
    Workflow workflow = workflow();
    return workflow.getStatus() == null || workflow.getStatus().getTasks() == null
        ? Optional.empty()
        : workflow.getStatus().getTasks().stream()
            .filter(t -> t.name().equals("classify"))
            .findFirst();
  }

  /**
   * A real sidecar's classify traffic, scraped by a real Prometheus: claude answers 40 requests of
   * the clients, 4000 tokens in and 300 out each; the Llama answers each in shadow, 80% first try
   * (one in ten repaired, one in ten still invalid). Seconds of data extrapolated to a month are
   * billions of tokens: the volume and the cost difference lean open, validity and the data class
   * closed, the new prompt neither, whatever the exact seconds.
   */
  private URI prometheusWithClassifyTraffic() throws Exception {
    ClassifySidecar sidecar =
        ClassifySidecar.start(java.nio.file.Files.createTempDirectory("workflow-advisor"));
    closeLater.add(sidecar);
    // One of each, so every series exists before Prometheus first scrapes it.
    for (ClassifySidecar.Shadow s : ClassifySidecar.Shadow.values()) {
      sidecar.classify(s);
    }
    sidecar.awaitShadows(ClassifySidecar.Shadow.values().length);
    PrometheusServer prometheus =
        PrometheusServer.startLabelled(
            "/metrics", Map.of(sidecar.target(), Map.of("namespace", "support")), List.of());
    closeLater.add(prometheus);
    prometheus.awaitUp(Duration.ofSeconds(30));
    prometheus.awaitFreshScrape();
    for (int i = 0; i < 40; i++) {
      sidecar.classify(
          i % 10 == 9
              ? ClassifySidecar.Shadow.INVALID
              : i % 10 == 4 ? ClassifySidecar.Shadow.REPAIRED : ClassifySidecar.Shadow.AGREE);
    }
    sidecar.awaitShadows(ClassifySidecar.Shadow.values().length + 40);
    prometheus.awaitFreshScrape();
    return prometheus.url();
  }

  @Test
  void aWorkflowGetsItsAdviceNextToItsReadinessAndAVerdictChangeIsAnEvent() throws Exception {
    PrometheusServer.require(PrometheusServer.binary(), "prometheus");
    URI prometheus = prometheusWithClassifyTraffic();
    run(
        AdvisorSettings.defaults()
            .withPrometheus(prometheus)
            .withWindow(Duration.ofMinutes(10), Duration.ofSeconds(2), "namespace"));

    Eventually.await(
        "the advice and Ready",
        Duration.ofSeconds(30),
        () ->
            classify().map(t -> t.verdict() != null).orElse(false)
                && condition("Ready").isPresent());
    TaskAdvice advice = classify().orElseThrow();
    assertThat(advice.verdict()).isEqualTo(AdviceVerdict.MIXED);
    assertThat(advice.currentBackend()).isEqualTo("claude");
    assertThat(advice.answers())
        .extracting(a -> a.question() + "=" + a.leans())
        .containsExactly(
            "dataResidency=CLOSED",
            "volume=OPEN",
            "structuredOutput=CLOSED",
            "engineeringCost=OPEN",
            "promptChanges=NEUTRAL");
    assertThat(advice.bestCandidate().backend()).isEqualTo("llama-3-3-70b");
    // The shares are increase()'s, so a point either way: 80% first try vs 100%, all agreeing.
    assertThat(advice.bestCandidate().summary())
        .matches(
            "llama-3-3-70b: (79|80|81)\\.\\d% valid first try vs 100\\.0% on claude,"
                + " 100\\.0% exact agreement, .*")
        .endsWith("data class allows it");
    assertThat(advice.promptHistory().changes()).isZero();
    assertThat(workflow().getStatus().getAdvice()).isEqualTo("classify=mixed");
    Condition available = condition("AdviceAvailable").orElseThrow();
    assertThat(available.getStatus()).isEqualTo("True");
    assertThat(available.getMessage())
        .contains("advice on 1 task(s) from Prometheus at http://127.0.0.1:");

    Eventually.await(
        "the AdviceChanged event",
        () -> events().stream().anyMatch(e -> e.getReason().equals("AdviceChanged")));
    Event event =
        events().stream().filter(e -> e.getReason().equals("AdviceChanged")).findFirst().get();
    assertThat(event.getType()).isEqualTo("Normal");
    assertThat(event.getMessage())
        .startsWith("task classify: no verdict -> mixed: 2 open, 2 closed, 1 neutral")
        .contains("best candidate llama-3-3-70b: ")
        .contains("% valid first try vs 100.0% on claude");

    // A prompt edit in Git: the Workflow reconciler reconciles the new generation and patches its
    // status, the advisor counts a change; each keeps the other's fields.
    Workflow edited = workflow();
    Task task = edited.getSpec().tasks().getFirst();
    Task changed =
        new Task(
            task.name(),
            task.route(),
            task.dataClass(),
            new io.aihandler.api.v1alpha1.Prompt("Classify the support ticket.", "{{ticket}}"),
            task.variables(),
            task.output(),
            task.parameters(),
            task.timeout(),
            task.evaluate());
    edited.setSpec(
        new WorkflowSpec(
            edited.getSpec().policyRef(),
            List.of(changed),
            edited.getSpec().sidecar(),
            edited.getSpec().egress()));
    edited.setStatus(null);
    edited.getMetadata().setManagedFields(null);
    client.resource(edited).update();

    Eventually.await(
        "one prompt change recorded and generation 2 observed by the Workflow reconciler",
        Duration.ofSeconds(20),
        () ->
            classify().map(t -> t.promptHistory().changes() == 1).orElse(false)
                && Long.valueOf(2).equals(workflow().getStatus().getObservedGeneration()));
    Workflow after = workflow();
    assertThat(after.getStatus().getTasks()).hasSize(1);
    assertThat(classify().orElseThrow().verdict()).isEqualTo(AdviceVerdict.MIXED);
    assertThat(condition("AdviceAvailable").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(condition("Ready")).isPresent();
    assertThat(condition("ResolvedRefs")).isPresent();
    // The verdict did not change, so no second event.
    assertThat(events().stream().filter(e -> e.getReason().equals("AdviceChanged"))).hasSize(1);
  }

  @Test
  void withoutAPrometheusTheAdvisorSaysSoAndTheWorkflowIsReconciledAsBefore() {
    run(AdvisorSettings.defaults());

    Eventually.await(
        "AdviceAvailable and Ready",
        () -> condition("AdviceAvailable").isPresent() && condition("Ready").isPresent());
    Condition available = condition("AdviceAvailable").orElseThrow();
    assertThat(available.getStatus()).isEqualTo("False");
    assertThat(available.getReason()).isEqualTo("NoMetricsSource");
    assertThat(available.getMessage()).contains("advisor.prometheusUrl");
    assertThat(condition("ResolvedRefs").orElseThrow().getStatus()).isEqualTo("True");
    TaskAdvice classify = classify().orElseThrow();
    assertThat(classify.verdict()).isNull();
    assertThat(classify.promptHistory().hash()).hasSize(16);
    assertThat(workflow().getStatus().getAdvice()).isNull();
  }

  @Test
  void anUnreachablePrometheusIsAConditionNotACrashLoop() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      port = socket.getLocalPort();
    }
    run(
        AdvisorSettings.defaults()
            .withPrometheus(URI.create("http://127.0.0.1:" + port))
            .withWindow(Duration.ofMinutes(10), Duration.ofSeconds(1), "namespace"));

    Eventually.await(
        "AdviceAvailable=False PrometheusUnreachable and Ready",
        () ->
            condition("AdviceAvailable")
                    .map(c -> c.getReason().equals("PrometheusUnreachable"))
                    .orElse(false)
                && condition("Ready").isPresent());
    assertThat(condition("AdviceAvailable").orElseThrow().getMessage())
        .isEqualTo(
            "Prometheus at http://127.0.0.1:"
                + port
                + " is unreachable (ConnectException); the last advice is kept");
    assertThat(classify().orElseThrow().promptHistory()).isNotNull();
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("support").list().getItems();
  }
}
