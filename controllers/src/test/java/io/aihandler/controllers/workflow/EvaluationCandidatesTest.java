package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.testing.HostedFixtures;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.router.config.Backend;
import io.aihandler.router.config.EvaluationCandidate;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.RouterConfig;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A Workflow's evaluation candidates: resolved like route targets, bound by the task's data class,
 * rendered into the router document with their backends and keys even when no route reaches them.
 */
class EvaluationCandidatesTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final String CLAUDE_KEY = "sk-ant-eval-7c6d5e";

  private final ModelBackend claude =
      HostedFixtures.hosted("support", "claude", "anthropic", "anthropic-key", "");
  private final ModelBackend llama =
      ModelBackends.fromYaml(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: ModelBackend
          metadata: {name: llama-3-3-70b, namespace: support}
          spec:
            vllm: {model: "hf://meta-llama/Llama-3.3-70B-Instruct", servedModelName: llama}
            pricing: {gpuHourly: 4.5}
          """);
  private final ModelBackend qwen =
      ModelBackends.fromYaml(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: ModelBackend
          metadata: {name: qwen, namespace: support}
          spec:
            vllm: {model: "hf://Qwen/Qwen2.5-7B-Instruct"}
          """);
  private final ModelBackend bge =
      ModelBackends.fromYaml(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: ModelBackend
          metadata: {name: bge, namespace: support}
          spec:
            vllm: {model: "hf://BAAI/bge-m3"}
            capabilities:
              chat: false
              embeddings: {dimensions: 1024}
          """);
  private final Map<BackendKey, ModelBackend> backends =
      List.of(claude, llama, qwen, bge).stream()
          .collect(Collectors.toMap(BackendKey::of, Function.identity()));

  private final RoutingPolicy policy =
      YAML.unmarshal(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: RoutingPolicy
          metadata: {name: routing, namespace: support}
          spec:
            dataClasses:
            - {name: internal, allowedLocalities: [in-cluster, external]}
            - {name: restricted, allowedLocalities: [in-cluster]}
            defaultDataClass: internal
            routes:
            - name: hosted
              targets: [{backend: {name: claude}}]
            - name: local
              targets: [{backend: {name: qwen}}]
          """,
          RoutingPolicy.class);

  private Workflow workflow(String tasks) {
    return YAML.unmarshal(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: Workflow
        metadata: {name: tickets, namespace: support}
        spec:
          policyRef: {name: routing}
          tasks:
        %s
        """
            .formatted(tasks.indent(2)),
        Workflow.class);
  }

  private EvaluationCandidates.Resolution resolve(Workflow w) {
    return EvaluationCandidates.resolve(
        w, policy, key -> Optional.ofNullable(backends.get(key)), ns -> Map.of());
  }

  @Test
  void anInClusterCandidateOffEveryRouteIsRenderedWithItsBackend() {
    Workflow w =
        workflow(
            """
            - name: classify
              route: hosted
              evaluate:
                candidates: [{backend: {name: llama-3-3-70b}, sampleRate: 0.1}]
                dailyCostCap: 5
            """);
    EvaluationCandidates.Resolution candidates = resolve(w);
    assertThat(candidates.problems()).isEmpty();

    RouterConfig config = render(w, candidates, Set.of(BackendKey.of(claude)));

    assertThat(config.task("classify").orElseThrow().evaluate().candidates())
        .containsExactly(new EvaluationCandidate("llama-3-3-70b", 0.1));
    assertThat(config.task("classify").orElseThrow().evaluate().dailyCostCap()).isEqualTo(5.0);
    Backend candidate = config.backend("llama-3-3-70b").orElseThrow();
    assertThat(candidate.locality()).isEqualTo(Locality.IN_CLUSTER);
    assertThat(candidate.model()).isEqualTo("llama");
    assertThat(config.routes())
        .allSatisfy(
            r -> assertThat(r.targets()).noneMatch(t -> t.backend().equals("llama-3-3-70b")));
  }

  @Test
  void aHostedCandidateGetsItsKeyProvisionedAndItsCredentialsFile() {
    Workflow w =
        workflow(
            """
            - name: triage
              route: local
              evaluate:
                candidates: [{backend: {name: claude}, sampleRate: 0.2}]
            """);
    EvaluationCandidates.Resolution candidates = resolve(w);
    assertThat(candidates.problems()).isEmpty();
    // The route reaches only qwen: the key is needed for the shadow calls alone.
    RoutingPolicy localOnly =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: RoutingPolicy
            metadata: {name: routing, namespace: support}
            spec:
              routes:
              - name: local
                targets: [{backend: {name: qwen}}]
            """,
            RoutingPolicy.class);
    var resolution =
        RoutingPolicyResolution.resolve(
            localOnly, key -> Optional.ofNullable(backends.get(key)), ns -> Map.of());

    CredentialPlan.Plan plan =
        CredentialPlan.plan(
            w,
            localOnly,
            resolution,
            candidates.backends(),
            backend ->
                backend == claude
                    ? Optional.of(
                        HostedFixtures.sourceSecret("support", "anthropic-key", CLAUDE_KEY))
                    : Optional.empty(),
            Optional.empty());

    assertThat(plan.keyed()).containsExactly(BackendKey.of(claude));
    assertThat(plan.condition().status()).isEqualTo("True");
    assertThat(plan.condition().message()).doesNotContain(CLAUDE_KEY);
    var rendered =
        RouterConfigRenderer.render(
            w,
            localOnly,
            resolution.routes(),
            candidates,
            plan.keyed(),
            ProviderEndpoints.PUBLIC,
            null);
    assertThat(rendered.problems()).isEmpty();
    Backend candidate = rendered.config().backend("claude").orElseThrow();
    assertThat(candidate.credentials().file()).endsWith("support.claude");
    assertThat(rendered.yaml()).doesNotContain(CLAUDE_KEY);
  }

  @Test
  void aCandidateTheTasksDataClassForbidsIsNamedAndLeftOut() {
    Workflow w =
        workflow(
            """
            - name: triage
              route: local
              dataClass: restricted
              evaluate:
                candidates:
                - {backend: {name: claude}, sampleRate: 1}
                - {backend: {name: llama-3-3-70b}, sampleRate: 0.5}
            """);

    EvaluationCandidates.Resolution candidates = resolve(w);

    assertThat(candidates.problems())
        .containsExactly(
            "task triage: evaluation candidate ModelBackend support/claude is external, which data"
                + " class restricted does not allow; its requests are never mirrored there");
    RouterConfig config = render(w, candidates, Set.of(BackendKey.of(claude)));
    assertThat(config.task("triage").orElseThrow().evaluate().candidates())
        .containsExactly(new EvaluationCandidate("llama-3-3-70b", 0.5));
    // claude is in the document for the hosted route only, never as triage's candidate.
    assertThat(config.routes())
        .filteredOn(r -> r.name().equals("local"))
        .singleElement()
        .satisfies(r -> assertThat(r.targets()).noneMatch(t -> t.backend().equals("claude")));
  }

  @Test
  void missingNonChattingAndUnreachableCandidatesAreNamedAndATaskWithNoneLeftEvaluatesNothing() {
    Workflow w =
        workflow(
            """
            - name: classify
              route: hosted
              evaluate:
                candidates:
                - {backend: {name: mistral}, sampleRate: 1}
                - {backend: {name: bge}, sampleRate: 1}
            """);

    EvaluationCandidates.Resolution candidates = resolve(w);

    assertThat(candidates.problems())
        .containsExactly(
            "task classify: evaluation candidate ModelBackend support/mistral not found",
            "task classify: evaluation candidate ModelBackend support/bge does not chat"
                + " (capabilities.chat: false)");
    RouterConfig config = render(w, candidates, Set.of(BackendKey.of(claude)));
    assertThat(config.task("classify").orElseThrow().evaluate()).isNull();
    assertThat(config.backend("bge")).isEmpty();

    Workflow restrictedEgress =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: Workflow
            metadata: {name: tickets, namespace: support}
            spec:
              policyRef: {name: routing}
              egress: restricted
              tasks:
              - name: triage
                route: local
                evaluate:
                  candidates: [{backend: {name: claude}, sampleRate: 1}]
            """,
            Workflow.class);
    assertThat(resolve(restrictedEgress).problems())
        .containsExactly(
            "task triage: evaluation candidate ModelBackend support/claude is hosted, and"
                + " spec.egress is restricted, so the pods cannot reach it");
  }

  @Test
  void theEgressPolicyLetsPodsReachInClusterCandidates() {
    Workflow w =
        workflow(
            """
            - name: classify
              route: hosted
              evaluate:
                candidates: [{backend: {name: llama-3-3-70b}, sampleRate: 0.1}]
            """);
    var routes =
        RoutingPolicyResolution.resolve(
                policy, key -> Optional.ofNullable(backends.get(key)), ns -> Map.of())
            .routes();

    assertThat(WorkflowReconciler.inClusterBackends(routes, resolve(w).backends()))
        .containsExactlyInAnyOrder(qwen, llama);
  }

  private RouterConfig render(
      Workflow w, EvaluationCandidates.Resolution candidates, Set<BackendKey> keyed) {
    var routes =
        RoutingPolicyResolution.resolve(
                policy, key -> Optional.ofNullable(backends.get(key)), ns -> Map.of())
            .routes();
    var rendered =
        RouterConfigRenderer.render(
            w, policy, routes, candidates, keyed, ProviderEndpoints.PUBLIC, null);
    assertThat(rendered.problems()).isEmpty();
    return rendered.config();
  }
}
