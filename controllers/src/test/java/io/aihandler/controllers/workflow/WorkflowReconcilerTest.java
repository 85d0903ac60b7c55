package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Capacity;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Workflow reconciler on fabric8's CRUD mock (with the SSA shim), fed the reference scenario of
 * {@code examples/}: it publishes a router document the sidecar's own loader accepts, re-renders on
 * every change that matters, refuses to publish a document the sidecar would refuse, and is silent
 * when nothing changes.
 */
class WorkflowReconcilerTest {

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;

  @BeforeEach
  void startWithTheExamples() throws IOException {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    for (JsonNode object : examples()) {
      if (!object.path("kind").asText().equals("Deployment")) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(object.toString(), HasMetadata.class))
            .create();
      }
    }
    operator = RunningOperator.start(api, new WorkflowReconciler());
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private static List<JsonNode> examples() throws IOException {
    try (Stream<Path> files = Files.list(Manifests.repositoryRoot().resolve("examples"))) {
      return files
          .filter(f -> f.toString().endsWith(".yaml"))
          .sorted()
          .flatMap(f -> Manifests.read(f).stream())
          .toList();
    }
  }

  private Workflow workflow() {
    return client
        .resources(Workflow.class)
        .inNamespace("support")
        .withName("support-tickets")
        .get();
  }

  private Condition condition(String type) {
    Workflow workflow = workflow();
    if (workflow.getStatus() == null) {
      return null;
    }
    return workflow.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElse(null);
  }

  private boolean conditionIs(String type, String status, String reason) {
    Condition condition = condition(type);
    return condition != null
        && condition.getStatus().equals(status)
        && condition.getReason().equals(reason);
  }

  private ConfigMap configMap() {
    return client.configMaps().inNamespace("support").withName("support-tickets-router").get();
  }

  private RouterConfig published() {
    try {
      return RouterConfigLoader.parse(
          configMap().getData().get("router.yaml"), "ConfigMap support/support-tickets-router");
    } catch (io.aihandler.router.config.InvalidRouterConfigException e) {
      throw new AssertionError(
          "the published document does not load in the sidecar: " + e.getMessage(), e);
    }
  }

  @Test
  void publishesADocumentTheSidecarLoadsWithEveryBackendResolved() throws Exception {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    assertThat(conditionIs("ResolvedRefs", "True", "Resolved")).isTrue();
    assertThat(conditionIs("CredentialsProvisioned", "True", "Provisioned")).isTrue();

    Workflow workflow = workflow();
    ConfigMap map = configMap();
    assertThat(workflow.getStatus().getConfigMapName()).isEqualTo("support-tickets-router");
    assertThat(workflow.getStatus().getConfigHash())
        .isEqualTo(map.getMetadata().getAnnotations().get(RouterConfigMapBuilder.HASH_ANNOTATION));
    assertThat(map.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(workflow.getMetadata().getUid()));

    RouterConfig config = published();
    assertThat(config.tasks())
        .extracting(t -> t.name())
        .containsExactly(
            "classify-ticket",
            "summarize-thread",
            "extract-entities",
            "embed-tickets",
            "embed-articles");
    assertThat(config.routes())
        .extracting(r -> r.name())
        .containsExactly(
            "classification",
            "summarization",
            "reasoning",
            "ticket-embeddings",
            "article-embeddings");
    assertThat(config.defaultDataClass()).isEqualTo("internal");
    assertThat(config.unscannableDataClass()).isEqualTo("restricted");
    assertThat(config.sidecar().port()).isEqualTo(4080);

    Backend llama = config.backend("llama-3-3-70b").orElseThrow();
    assertThat(llama.baseUrl()).isEqualTo("http://llama-3-3-70b.llm-platform.svc:8000/v1");
    assertThat(llama.model()).isEqualTo("llama-3.3-70b");
    assertThat(llama.credentials()).isNull();
    assertThat(llama.locality().name()).isEqualTo("IN_CLUSTER");

    Backend claude = config.backend("claude").orElseThrow();
    assertThat(claude.baseUrl()).isEqualTo("https://api.anthropic.com");
    assertThat(claude.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(claude.credentials().file())
        .isEqualTo("/etc/aihandler/credentials/llm-platform.claude");
    assertThat(claude.locality().name()).isEqualTo("EXTERNAL");
    assertThat(claude.pricing().outputPerMillionTokens()).isEqualTo(15.0);
    assertThat(config.backend("gpt-4o").orElseThrow().credentials().file())
        .endsWith("/llm-platform.gpt-4o");
    assertThat(config.backend("gemini-flash").orElseThrow().baseUrl())
        .isEqualTo("https://generativelanguage.googleapis.com");
    assertThat(config.task("extract-entities").orElseThrow().output().schema().path("required"))
        .hasSize(4);

    Backend bge = config.backend("bge-m3").orElseThrow();
    assertThat(bge.baseUrl()).isEqualTo("http://bge-m3.llm-platform.svc:8000/v1");
    assertThat(bge.capabilities().chat()).isFalse();
    assertThat(bge.capabilities().embeddings().dimensions()).isEqualTo(1024);
    assertThat(bge.embeddingVectorSpace()).isEqualTo("BAAI/bge-m3");
    Backend small = config.backend("text-embedding-3-small").orElseThrow();
    assertThat(small.capabilities().chat()).isFalse();
    assertThat(small.capabilities().embeddings())
        .isEqualTo(
            new io.aihandler.router.config.EmbeddingCapability(
                1536, "text-embedding-3-small", 2048));
    assertThat(small.credentials().file()).endsWith("/llm-platform.text-embedding-3-small");
    assertThat(config.backend("llama-3-3-70b").orElseThrow().capabilities().embeddings()).isNull();
    assertThat(configMap().getData().get("router.yaml")).doesNotContain("REPLACE_WITH");
  }

  @Test
  void reRendersWhenABackendChanges() throws Exception {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    String before = workflow().getStatus().getConfigHash();

    ModelBackend gemini =
        client
            .resources(ModelBackend.class)
            .inNamespace("llm-platform")
            .withName("gemini-flash")
            .get();
    client
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    client
                        .getKubernetesSerialization()
                        .asYaml(gemini)
                        .replace("outputPerMillionTokens: 2.5", "outputPerMillionTokens: 2.0"),
                    ModelBackend.class))
        .update();

    Eventually.await(
        "a new configuration", () -> !before.equals(workflow().getStatus().getConfigHash()));
    assertThat(published().backend("gemini-flash").orElseThrow().pricing().outputPerMillionTokens())
        .isEqualTo(2.0);
    assertThat(
            configMap().getMetadata().getAnnotations().get(RouterConfigMapBuilder.HASH_ANNOTATION))
        .isEqualTo(workflow().getStatus().getConfigHash());
  }

  @Test
  void keepsColdVllmTargetsWithTheirCapacityAndLeavesOutHostedOnesNotReady() throws Exception {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    // No backend reports Ready yet: every target stays, the sidecar's breakers decide.
    assertThat(published().route("reasoning").orElseThrow().targets())
        .extracting(t -> t.backend())
        .containsExactly("claude", "gpt-4o", "llama-3-3-70b");

    markReady("claude");
    // gpt-4o (hosted, not ready) goes while claude serves; llama (vLLM) stays, starting.
    Eventually.await(
        "claude and llama",
        () -> published().route("reasoning").orElseThrow().targets().size() == 2);
    assertThat(published().route("reasoning").orElseThrow().targets())
        .extracting(t -> t.backend())
        .containsExactly("claude", "llama-3-3-70b");
    assertThat(published().backend("llama-3-3-70b").orElseThrow().capacity())
        .isEqualTo(new Capacity(CapacityState.STARTING, "llm-platform/llama-3-3-70b"));
    assertThat(published().backend("claude").orElseThrow().capacity()).isNull();

    String starting = workflow().getStatus().getConfigHash();
    replicas("llama-3-3-70b", 1, 2);
    Eventually.await(
        "llama ready", () -> published().backend("llama-3-3-70b").orElseThrow().ready());
    // The ConfigMap is applied before the status that names its hash: wait for both.
    Eventually.await(
        "the new hash in status", () -> !starting.equals(workflow().getStatus().getConfigHash()));
    assertThat(
            configMap().getMetadata().getAnnotations().get(RouterConfigMapBuilder.HASH_ANNOTATION))
        .isEqualTo(workflow().getStatus().getConfigHash());

    replicas("llama-3-3-70b", 0, 0);
    Eventually.await(
        "llama scaled to zero",
        () ->
            published().backend("llama-3-3-70b").orElseThrow().capacity().state()
                == CapacityState.SCALED_TO_ZERO);
    // No target of this route reports Ready: all stay, the cold one with its state.
    assertThat(published().route("classification").orElseThrow().targets())
        .extracting(t -> t.backend())
        .containsExactly("llama-3-3-70b", "gemini-flash");

    replicas("llama-3-3-70b", 0, 1);
    Eventually.await(
        "llama lost its pods",
        () ->
            published().backend("llama-3-3-70b").orElseThrow().capacity().state()
                == CapacityState.STARTING);
  }

  private void replicas(String backend, int ready, int desired) {
    client
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName(backend)
        .editStatus(
            current -> {
              var status =
                  current.getStatus() == null
                      ? new io.aihandler.api.v1alpha1.ModelBackendStatus()
                      : current.getStatus();
              status.setReadyReplicas(ready);
              status.setDesiredReplicas(desired);
              current.setStatus(status);
              return current;
            });
  }

  private void markReady(String backend) {
    client
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName(backend)
        .editStatus(
            current -> {
              var status = new io.aihandler.api.v1alpha1.ModelBackendStatus();
              status
                  .getConditions()
                  .add(
                      new io.fabric8.kubernetes.api.model.ConditionBuilder()
                          .withType("Ready")
                          .withStatus("True")
                          .withReason("Serving")
                          .withMessage("ready")
                          .withObservedGeneration(current.getMetadata().getGeneration())
                          .withLastTransitionTime("2026-11-25T12:00:00Z")
                          .build());
              current.setStatus(status);
              return current;
            });
  }

  @Test
  void namesATaskWhoseDataClassNoBackendOfItsRouteAllows() {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    // extract-entities is restricted and uses the reasoning route: drop the route's only
    // in-cluster target (Llama) and leave it Claude and GPT-4o.
    client
        .resources(io.aihandler.api.v1alpha1.RoutingPolicy.class)
        .inNamespace("support")
        .withName("support-routing")
        .edit(
            policy -> {
              var routes = new java.util.ArrayList<>(policy.getSpec().routes());
              var reasoning =
                  routes.stream()
                      .filter(r -> r.name().equals("reasoning"))
                      .findFirst()
                      .orElseThrow();
              var external =
                  reasoning.targets().stream()
                      .filter(t -> !t.backend().name().startsWith("llama"))
                      .toList();
              routes.set(
                  routes.indexOf(reasoning),
                  new io.aihandler.api.v1alpha1.Route(
                      reasoning.name(),
                      external,
                      reasoning.strategy(),
                      reasoning.fallbackOn(),
                      reasoning.maxAttempts(),
                      reasoning.backoff(),
                      reasoning.perTryTimeout(),
                      reasoning.timeout(),
                      reasoning.circuitBreaker(),
                      reasoning.spillOver(),
                      reasoning.coldStartTimeout()));
              policy.setSpec(
                  new io.aihandler.api.v1alpha1.RoutingPolicySpec(
                      routes,
                      policy.getSpec().dataClasses(),
                      policy.getSpec().defaultDataClass(),
                      policy.getSpec().unscannableDataClass()));
              return policy;
            });
    Eventually.await(
        "ResolvedRefs false", () -> conditionIs("ResolvedRefs", "False", "UnresolvedRefs"));
    assertThat(condition("ResolvedRefs").getMessage())
        .contains(
            "task extract-entities: data class restricted may only reach [in-cluster] but route reasoning has no such backend");
    assertThat(conditionIs("Ready", "False", "UnresolvedRefs")).isTrue();
  }

  @Test
  void rendersEvaluationCandidatesAndNamesOneTheTasksDataClassForbids() {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    var claude = new io.aihandler.api.v1alpha1.BackendRef("claude", "llm-platform");
    var llama = new io.aihandler.api.v1alpha1.BackendRef("llama-3-3-70b", "llm-platform");
    client
        .resources(Workflow.class)
        .inNamespace("support")
        .withName("support-tickets")
        .edit(
            workflow -> {
              var tasks = new java.util.ArrayList<>(workflow.getSpec().tasks());
              for (int i = 0; i < tasks.size(); i++) {
                var t = tasks.get(i);
                // classify-ticket is internal: Claude may see it. extract-entities is restricted:
                // only the in-cluster Llama may.
                List<io.aihandler.api.v1alpha1.EvaluationCandidate> candidates =
                    switch (t.name()) {
                      case "classify-ticket" ->
                          List.of(new io.aihandler.api.v1alpha1.EvaluationCandidate(claude, 0.1));
                      case "extract-entities" ->
                          List.of(
                              new io.aihandler.api.v1alpha1.EvaluationCandidate(claude, 1.0),
                              new io.aihandler.api.v1alpha1.EvaluationCandidate(llama, 0.2));
                      default -> null;
                    };
                if (candidates != null) {
                  tasks.set(
                      i,
                      new io.aihandler.api.v1alpha1.Task(
                          t.name(),
                          t.route(),
                          t.dataClass(),
                          t.prompt(),
                          t.variables(),
                          t.output(),
                          t.parameters(),
                          t.timeout(),
                          new io.aihandler.api.v1alpha1.TaskEvaluation(candidates, 2.0)));
                }
              }
              workflow.setSpec(
                  new io.aihandler.api.v1alpha1.WorkflowSpec(
                      workflow.getSpec().policyRef(), tasks, workflow.getSpec().sidecar()));
              return workflow;
            });

    Eventually.await(
        "ResolvedRefs false", () -> conditionIs("ResolvedRefs", "False", "UnresolvedRefs"));
    assertThat(condition("ResolvedRefs").getMessage())
        .contains(
            "task extract-entities: evaluation candidate ModelBackend llm-platform/claude is"
                + " external, which data class restricted does not allow")
        .doesNotContain("task classify-ticket");
    Eventually.await(
        "evaluate published",
        () -> published().task("extract-entities").orElseThrow().evaluate() != null);
    RouterConfig config = published();
    assertThat(config.task("extract-entities").orElseThrow().evaluate().candidates())
        .containsExactly(new io.aihandler.router.config.EvaluationCandidate("llama-3-3-70b", 0.2));
    assertThat(config.task("classify-ticket").orElseThrow().evaluate().candidates())
        .containsExactly(new io.aihandler.router.config.EvaluationCandidate("claude", 0.1));
    assertThat(config.task("classify-ticket").orElseThrow().evaluate().dailyCostCap())
        .isEqualTo(2.0);
    assertThat(config.backend("claude").orElseThrow().credentials()).isNotNull();
  }

  @Test
  void neverPublishesADocumentTheSidecarWouldRefuse() throws Exception {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    String good = workflow().getStatus().getConfigHash();
    client
        .resources(Workflow.class)
        .inNamespace("support")
        .withName("support-tickets")
        .edit(
            workflow -> {
              var tasks = new java.util.ArrayList<>(workflow.getSpec().tasks());
              var first = tasks.get(0);
              tasks.set(
                  0,
                  new io.aihandler.api.v1alpha1.Task(
                      first.name(),
                      "no-such-route",
                      first.dataClass(),
                      first.prompt(),
                      first.variables(),
                      first.output(),
                      first.parameters(),
                      first.timeout(),
                      first.evaluate()));
              workflow.setSpec(
                  new io.aihandler.api.v1alpha1.WorkflowSpec(
                      workflow.getSpec().policyRef(), tasks, workflow.getSpec().sidecar()));
              return workflow;
            });
    Eventually.await(
        "InvalidRouterConfig", () -> conditionIs("Ready", "False", "InvalidRouterConfig"));
    assertThat(condition("Ready").getMessage())
        .contains("no-such-route")
        .contains("sidecars keep running configuration " + good);
    assertThat(condition("ResolvedRefs").getMessage())
        .contains("task classify-ticket: RoutingPolicy support-routing has no route no-such-route");
    assertThat(
            configMap().getMetadata().getAnnotations().get(RouterConfigMapBuilder.HASH_ANNOTATION))
        .isEqualTo(good);
    assertThat(workflow().getStatus().getConfigHash()).isEqualTo(good);
  }

  @Test
  void reportsAMissingPolicy() {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    client
        .resources(io.aihandler.api.v1alpha1.RoutingPolicy.class)
        .inNamespace("support")
        .withName("support-routing")
        .delete();
    Eventually.await(
        "PolicyNotFound", () -> conditionIs("ResolvedRefs", "False", "PolicyNotFound"));
    assertThat(condition("Ready").getMessage())
        .isEqualTo("RoutingPolicy support/support-routing not found");
  }

  @Test
  void writesNothingWhileNothingChanges() throws Exception {
    Eventually.await("Ready", () -> conditionIs("Ready", "True", "Ready"));
    Thread.sleep(500);
    int before = api.writes().size();
    Thread.sleep(1500);
    assertThat(api.writes().subList(before, api.writes().size()))
        .as("writes during an idle window")
        .isEmpty();
  }
}
