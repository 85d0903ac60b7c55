package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.router.config.Activation;
import io.aihandler.router.config.Capacity;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.config.RouterConfig;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Cold in-cluster backends in the router document: they stay, marked with their capacity from the
 * ModelBackend's replicas, with the activation settings and the routes' spill-over knobs, all read
 * back by the sidecar's own loader.
 */
class ColdCapacityRenderingTest {

  private static final EvaluationCandidates.Resolution NO_CANDIDATES =
      new EvaluationCandidates.Resolution(List.of(), List.of());

  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final Activation ACTIVATION =
      new Activation(
          "https://aihandler-webhook.aihandler-system.svc/activations",
          WorkflowObjectNames.activationTokenFile(),
          "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
          null);

  private static final RoutingPolicy POLICY =
      YAML.unmarshal(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: RoutingPolicy
          metadata: {name: p, namespace: models}
          spec:
            routes:
            - name: chat
              targets:
              - backend: {name: llama, namespace: models}
                priority: 0
              - backend: {name: gpt, namespace: models}
                priority: 1
              spillOver: false
              coldStartTimeout: 15m
            - name: hosted-only
              targets:
              - backend: {name: gpt, namespace: models}
            """,
          RoutingPolicy.class);

  private static final Workflow WORKFLOW =
      YAML.unmarshal(
          """
          apiVersion: aihandler.io/v1alpha1
          kind: Workflow
          metadata: {name: w, namespace: models}
          spec:
            policyRef: {name: p}
            tasks: [{name: answer, route: chat}]
          """,
          Workflow.class);

  private static ModelBackend llama(Integer ready, Integer desired) {
    ModelBackend backend =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: llama, namespace: models}
            spec:
              vllm:
                model: hf://meta-llama/Llama-3.1-8B-Instruct
                scaling: {minReplicas: 0, maxReplicas: 2, target: 5}
            """);
    if (ready != null) {
      ModelBackendStatus status = new ModelBackendStatus();
      status.setReadyReplicas(ready);
      status.setDesiredReplicas(desired);
      status
          .getConditions()
          .add(
              new ConditionBuilder()
                  .withType("Ready")
                  .withStatus(ready > 0 || desired == 0 ? "True" : "False")
                  .withReason(
                      ready > 0 ? "Serving" : desired == 0 ? "ScaledToZero" : "ModelLoading")
                  .withObservedGeneration(1L)
                  .build());
      backend.setStatus(status);
    }
    return backend;
  }

  private static ModelBackend gpt(boolean ready) {
    ModelBackend backend =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: gpt, namespace: models}
            spec:
              hosted:
                provider: openai
                model: gpt-4o-mini
                credentials: {secretRef: {name: k, key: k}}
            """);
    ModelBackendStatus status = new ModelBackendStatus();
    status
        .getConditions()
        .add(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .withReason(ready ? "Ready" : "CredentialsInvalid")
                .withObservedGeneration(1L)
                .build());
    backend.setStatus(status);
    return backend;
  }

  private static RouterConfig render(ModelBackend llama, ModelBackend gpt, Activation activation) {
    Map<BackendKey, ModelBackend> byKey =
        Map.of(BackendKey.of(llama), llama, BackendKey.of(gpt), gpt);
    var routes =
        RoutingPolicyResolution.resolve(
                POLICY, key -> Optional.ofNullable(byKey.get(key)), ns -> Map.of())
            .routes();
    var rendered =
        RouterConfigRenderer.render(
            WORKFLOW,
            POLICY,
            routes,
            NO_CANDIDATES,
            Set.of(BackendKey.of(gpt)),
            ProviderEndpoints.PUBLIC,
            activation);
    assertThat(rendered.problems()).isEmpty();
    return rendered.config();
  }

  @Test
  void eachReplicaStateHasItsCapacityState() {
    assertThat(render(llama(2, 2), gpt(true), ACTIVATION).backend("llama").orElseThrow().capacity())
        .isEqualTo(new Capacity(CapacityState.READY, "models/llama"));
    // Partial loss: one of three pods is left, traffic keeps flowing to it.
    assertThat(render(llama(1, 3), gpt(true), ACTIVATION).backend("llama").orElseThrow().ready())
        .isTrue();
    assertThat(render(llama(0, 0), gpt(true), ACTIVATION).backend("llama").orElseThrow().capacity())
        .isEqualTo(new Capacity(CapacityState.SCALED_TO_ZERO, "models/llama"));
    // All ready pods lost (preemption, OOM, crash) while replicas are wanted.
    assertThat(render(llama(0, 2), gpt(true), ACTIVATION).backend("llama").orElseThrow().capacity())
        .isEqualTo(new Capacity(CapacityState.STARTING, "models/llama"));
    assertThat(
            render(llama(null, null), gpt(true), ACTIVATION)
                .backend("llama")
                .orElseThrow()
                .capacity()
                .state())
        .as("no status yet")
        .isEqualTo(CapacityState.STARTING);
    // Hosted backends have no capacity: always ready as far as the config says.
    assertThat(render(llama(0, 0), gpt(true), ACTIVATION).backend("gpt").orElseThrow().capacity())
        .isNull();
  }

  @Test
  void aColdBackendStaysInItsRouteWhileAnotherCanServe() {
    RouterConfig config = render(llama(0, 0), gpt(true), ACTIVATION);

    assertThat(config.route("chat").orElseThrow().targets())
        .extracting(t -> t.backend())
        .containsExactly("llama", "gpt");
  }

  @Test
  void aHostedBackendThatIsNotReadyIsStillLeftOutWhileAnotherCanServe() {
    RouterConfig config = render(llama(1, 1), gpt(false), ACTIVATION);

    assertThat(config.route("chat").orElseThrow().targets())
        .extracting(t -> t.backend())
        .containsExactly("llama");
  }

  @Test
  void theActivationSettingsAndTheRoutesColdKnobsAreWritten() {
    RouterConfig config = render(llama(0, 0), gpt(true), ACTIVATION);

    assertThat(config.sidecar().activation()).isEqualTo(ACTIVATION);
    assertThat(config.sidecar().activation().minInterval()).isEqualTo("10s");
    var chat = config.route("chat").orElseThrow();
    assertThat(chat.spillOver()).isFalse();
    assertThat(chat.coldStartTimeoutDuration()).isEqualTo(java.time.Duration.ofMinutes(15));
    var hostedOnly = config.route("hosted-only").orElseThrow();
    assertThat(hostedOnly.spillOver()).isTrue();
    assertThat(hostedOnly.coldStartTimeout()).isEqualTo("10m");
  }

  @Test
  void noActivationSettingsWithoutAnInClusterBackendOrAnEndpoint() {
    assertThat(render(llama(0, 0), gpt(true), null).sidecar().activation()).isNull();

    RoutingPolicy hostedOnly =
        YAML.unmarshal(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: RoutingPolicy
            metadata: {name: p, namespace: models}
            spec:
              routes:
              - name: chat
                targets: [{backend: {name: gpt, namespace: models}}]
            """,
            RoutingPolicy.class);
    ModelBackend gpt = gpt(true);
    var routes =
        RoutingPolicyResolution.resolve(hostedOnly, key -> Optional.of(gpt), ns -> Map.of())
            .routes();
    var rendered =
        RouterConfigRenderer.render(
            WORKFLOW,
            hostedOnly,
            routes,
            NO_CANDIDATES,
            Set.of(BackendKey.of(gpt)),
            ProviderEndpoints.PUBLIC,
            ACTIVATION);
    assertThat(rendered.config().sidecar().activation()).isNull();
  }

  @Test
  void aCapacityFlipChangesTheDocumentAndTheHashAnnotationButNothingPodsRestartOn() {
    var zero =
        RouterConfigRenderer.render(
            WORKFLOW,
            POLICY,
            RoutingPolicyResolution.resolve(
                    POLICY,
                    key -> Optional.of(key.name().equals("llama") ? llama(0, 0) : gpt(true)),
                    ns -> Map.of())
                .routes(),
            NO_CANDIDATES,
            Set.of(new BackendKey("models", "gpt")),
            ProviderEndpoints.PUBLIC,
            ACTIVATION);
    var ready =
        RouterConfigRenderer.render(
            WORKFLOW,
            POLICY,
            RoutingPolicyResolution.resolve(
                    POLICY,
                    key -> Optional.of(key.name().equals("llama") ? llama(1, 1) : gpt(true)),
                    ns -> Map.of())
                .routes(),
            NO_CANDIDATES,
            Set.of(new BackendKey("models", "gpt")),
            ProviderEndpoints.PUBLIC,
            ACTIVATION);

    assertThat(zero.hash()).isNotEqualTo(ready.hash());
    assertThat(zero.config().routes()).isEqualTo(ready.config().routes());
    var before = RouterConfigMapBuilder.build(WORKFLOW, zero.yaml(), zero.hash());
    var after = RouterConfigMapBuilder.build(WORKFLOW, ready.yaml(), ready.hash());
    // The sidecar reloads the mounted file; the ConfigMap's name, labels and owner stay, so the
    // volume of running pods is the same object and no pod template changes.
    assertThat(after.getMetadata().getName()).isEqualTo(before.getMetadata().getName());
    assertThat(after.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
    assertThat(after.getMetadata().getOwnerReferences())
        .isEqualTo(before.getMetadata().getOwnerReferences());
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry(RouterConfigMapBuilder.HASH_ANNOTATION, ready.hash());
  }
}
