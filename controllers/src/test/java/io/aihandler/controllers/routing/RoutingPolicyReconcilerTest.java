package io.aihandler.controllers.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The RoutingPolicy reconciler running on fabric8's CRUD mock (with the SSA shim). */
class RoutingPolicyReconcilerTest {

  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;

  @BeforeEach
  void start() {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("llm-platform").endMetadata().build())
        .create();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("support")
                .addToLabels("team", "support")
                .endMetadata()
                .build())
        .create();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("marketing").endMetadata().build())
        .create();
    operator = RunningOperator.start(api, new RoutingPolicyReconciler());
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private void apply(String yaml) {
    client
        .resource(YAML.unmarshal(yaml, io.fabric8.kubernetes.api.model.HasMetadata.class))
        .createOr(existing -> existing.update());
  }

  private static final String CLAUDE =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: claude, namespace: llm-platform}
      spec:
        hosted:
          provider: anthropic
          model: claude-sonnet-4-5
          credentials: {secretRef: {name: anthropic-api-key, key: api-key}}
          shareWith: {namespaceSelector: {matchLabels: {team: support}}}
        pricing: {inputPerMillionTokens: 3, outputPerMillionTokens: 15}
      """;

  private static final String LLAMA =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama, namespace: llm-platform}
      spec:
        vllm: {model: "hf://meta-llama/Llama-3.3-70B-Instruct", gpus: 4}
      """;

  private static String policy(String namespace) {
    return """
        apiVersion: aihandler.io/v1alpha1
        kind: RoutingPolicy
        metadata: {name: support-routing, namespace: %s}
        spec:
          routes:
          - name: reasoning
            targets:
            - backend: {name: claude, namespace: llm-platform}
            - backend: {name: llama, namespace: llm-platform}
              priority: 1
          - name: classification
            targets:
            - backend: {name: llama, namespace: llm-platform}
          dataClasses:
          - {name: restricted, allowedLocalities: [in-cluster]}
          - {name: internal, allowedLocalities: [in-cluster, external]}
          defaultDataClass: internal
        """
        .formatted(namespace);
  }

  private Condition condition(String namespace, String type) {
    RoutingPolicy policy =
        client
            .resources(RoutingPolicy.class)
            .inNamespace(namespace)
            .withName("support-routing")
            .get();
    if (policy == null || policy.getStatus() == null) {
      return null;
    }
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElse(null);
  }

  private void awaitCondition(String namespace, String type, String status, String reason) {
    Eventually.await(
        type + "=" + status + " (" + reason + ")",
        () -> {
          Condition condition = condition(namespace, type);
          return condition != null
              && condition.getStatus().equals(status)
              && condition.getReason().equals(reason);
        });
  }

  private void markReady(String name) {
    ModelBackend backend =
        client.resources(ModelBackend.class).inNamespace("llm-platform").withName(name).get();
    backend
        .getStatus()
        .getConditions()
        .add(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("Serving")
                .withMessage("ok")
                .withObservedGeneration(backend.getMetadata().getGeneration())
                .withLastTransitionTime("2026-11-25T12:00:00Z")
                .build());
    client.resources(ModelBackend.class).resource(backend).updateStatus();
  }

  @Test
  void namesEveryMissingBackendAndResolvesWhenTheyAppear() {
    apply(policy("support"));
    awaitCondition("support", "ResolvedRefs", "False", "UnresolvedRefs");
    assertThat(condition("support", "ResolvedRefs").getMessage())
        .contains("route reasoning: ModelBackend llm-platform/claude not found")
        .contains("route classification: ModelBackend llm-platform/llama not found");
    assertThat(condition("support", "Ready").getStatus()).isEqualTo("False");
    assertThat(condition("support", "Accepted").getStatus()).isEqualTo("True");

    apply(CLAUDE);
    apply(LLAMA);
    awaitCondition("support", "ResolvedRefs", "True", "Resolved");
    awaitCondition("support", "Ready", "False", "BackendsNotReady");
    assertThat(condition("support", "Ready").getMessage())
        .contains("route classification has no ready backend");
    RoutingPolicy policy =
        client
            .resources(RoutingPolicy.class)
            .inNamespace("support")
            .withName("support-routing")
            .get();
    assertThat(policy.getStatus().getObservedGeneration())
        .isEqualTo(policy.getMetadata().getGeneration());
  }

  @Test
  void becomesReadyWhenItsBackendsAre() {
    apply(CLAUDE);
    apply(LLAMA);
    apply(policy("support"));
    awaitCondition("support", "Ready", "False", "BackendsNotReady");
    client
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName("claude")
        .editStatus(
            b -> {
              b.setStatus(new io.aihandler.api.v1alpha1.ModelBackendStatus());
              return b;
            });
    client
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName("llama")
        .editStatus(
            b -> {
              b.setStatus(new io.aihandler.api.v1alpha1.ModelBackendStatus());
              return b;
            });
    markReady("llama");
    awaitCondition("support", "Ready", "True", "Ready");
  }

  @Test
  void everyChangeOfReadyIsAnEventOnThePolicy() {
    apply(CLAUDE);
    apply(LLAMA);
    apply(policy("support"));
    awaitCondition("support", "Ready", "False", "BackendsNotReady");
    client
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName("llama")
        .editStatus(
            b -> {
              b.setStatus(new io.aihandler.api.v1alpha1.ModelBackendStatus());
              return b;
            });
    markReady("llama");
    awaitCondition("support", "Ready", "True", "Ready");

    Eventually.await("two events", () -> policyEvents().size() == 2);
    assertThat(policyEvents())
        .extracting(e -> e.getType() + " " + e.getReason())
        .containsExactlyInAnyOrder("Warning BackendsNotReady", "Normal Ready");
    assertThat(policyEvents())
        .allSatisfy(
            e -> {
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("RoutingPolicy");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("support-routing");
            });
  }

  @Test
  void aFailedReconcileTurnsReadyFalseInsteadOfLeavingTheOldReadyStanding() {
    apply(CLAUDE);
    apply(LLAMA);
    apply(policy("support"));
    awaitCondition("support", "Ready", "False", "BackendsNotReady");
    client
        .resources(ModelBackend.class)
        .inNamespace("llm-platform")
        .withName("llama")
        .editStatus(
            b -> {
              b.setStatus(new io.aihandler.api.v1alpha1.ModelBackendStatus());
              return b;
            });
    markReady("llama");
    awaitCondition("support", "Ready", "True", "Ready");

    // Claude's shareWith is checked against the policy namespace's labels, which the operator can
    // no longer read.
    api.refuse(
        new io.aihandler.controllers.testing.ServerSideApplyDispatcher.ReadRefusal(
            "/api/v1/namespaces/support"));
    apply(policy("support").replace("priority: 1", "priority: 2"));

    awaitCondition("support", "Ready", "False", "ReconcileFailed");
    assertThat(condition("support", "Ready").getMessage())
        .isEqualTo("a Kubernetes API request failed: HTTP 403 Forbidden");
    assertThat(policyEvents())
        .extracting(e -> e.getType() + " " + e.getReason())
        .contains("Warning ReconcileFailed");

    api.acceptAll();
    Eventually.await(
        "Ready again",
        java.time.Duration.ofSeconds(30),
        () -> {
          Condition ready = condition("support", "Ready");
          return ready != null && "Ready".equals(ready.getReason());
        });
  }

  private List<io.fabric8.kubernetes.api.model.Event> policyEvents() {
    return client.v1().events().inNamespace("support").list().getItems().stream()
        .filter(e -> "RoutingPolicy".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  @Test
  void namesTheBackendWhoseShareWithRefusesThisNamespace() {
    apply(CLAUDE);
    apply(LLAMA);
    apply(policy("marketing"));
    Eventually.await(
        "claude refused, llama found",
        () -> {
          Condition refs = condition("marketing", "ResolvedRefs");
          return refs != null
              && refs.getMessage().contains("does not share")
              && !refs.getMessage().contains("not found");
        });
    assertThat(condition("marketing", "ResolvedRefs").getMessage())
        .contains(
            "route reasoning: ModelBackend llm-platform/claude does not share its key with namespace marketing");
    // The vLLM backend needs no key: marketing may use it.
    assertThat(condition("marketing", "ResolvedRefs").getMessage()).doesNotContain("llama");

    // The platform team admits marketing: the policy is re-evaluated without being touched.
    apply(
        CLAUDE.replace(
            "shareWith: {namespaceSelector: {matchLabels: {team: support}}}",
            "shareWith: {namespaces: [marketing], namespaceSelector: {matchLabels: {team: support}}}"));
    awaitCondition("marketing", "ResolvedRefs", "True", "Resolved");
  }

  @Test
  void reportsARouteThatTheDefaultDataClassCannotUse() {
    apply(CLAUDE);
    apply(LLAMA);
    apply(
        policy("support")
            .replace(
                """
          - name: classification
            targets:
            - backend: {name: llama, namespace: llm-platform}
        """,
                """
          - name: classification
            targets:
            - backend: {name: claude, namespace: llm-platform}
        """)
            .replace("defaultDataClass: internal", "defaultDataClass: restricted"));
    // Both backends exist; wait until the operator's cache has seen them too.
    Eventually.await(
        "both backends resolved",
        () -> {
          Condition refs = condition("support", "ResolvedRefs");
          return refs != null
              && refs.getStatus().equals("False")
              && !refs.getMessage().contains("not found");
        });
    assertThat(condition("support", "ResolvedRefs").getMessage())
        .contains(
            "route classification has no target that data class restricted (the default) may reach")
        .doesNotContain("route reasoning has no target");
  }

  @Test
  void writesNothingWhileNothingChanges() throws Exception {
    apply(CLAUDE);
    apply(LLAMA);
    apply(policy("support"));
    awaitCondition("support", "ResolvedRefs", "True", "Resolved");
    Thread.sleep(300);
    int before = api.writes().size();
    Thread.sleep(1000);
    List<?> after = api.writes().subList(before, api.writes().size());
    assertThat(after).as("writes during an idle second").isEmpty();
  }
}
