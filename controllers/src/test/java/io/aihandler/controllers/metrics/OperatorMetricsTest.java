package io.aihandler.controllers.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.api.v1alpha1.ConditionedStatus;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.controllers.modelbackend.ModelBackendReconciler;
import io.aihandler.controllers.modelbackend.ModelBackendReconcilerSettings;
import io.aihandler.controllers.routing.RoutingPolicyReconciler;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.HostedFixtures;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.workflow.WorkflowReconciler;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceAction;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's own meters, driven by real reconciles on the CRUD mock API: reconcile outcomes per
 * kind, credential checks against a provider that accepts one key and refuses another, the state
 * gauges of a vLLM backend, and the removal of a deleted backend's series.
 */
class OperatorMetricsTest {

  private static final String GOOD_KEY = "sk-metrics-good-0a1b2c";
  private static final String BAD_KEY = "sk-metrics-bad-9z8y7x";
  private static final String OPENAI_MODELS =
      "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1715367049,\"owned_by\":\"system\"}]}";
  private static final String OPENAI_INVALID_KEY =
      "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorMetrics metrics = OperatorMetrics.on(registry);
  private final MockWebServer provider = new MockWebServer();
  private MockKubernetesApi api;
  private KubernetesClient client;

  @BeforeEach
  void start() throws IOException {
    provider.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String auth = request.getHeaders().get("Authorization");
            return ("Bearer " + GOOD_KEY).equals(auth)
                ? new MockResponse.Builder()
                    .code(200)
                    .addHeader("Content-Type", "application/json")
                    .body(OPENAI_MODELS)
                    .build()
                : new MockResponse.Builder()
                    .code(401)
                    .addHeader("Content-Type", "application/json")
                    .body(OPENAI_INVALID_KEY)
                    .build();
          }
        });
    provider.start();
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
  }

  @AfterEach
  void stop() {
    api.close();
    provider.close();
  }

  private double count(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  private Double gauge(String name, String namespace, String backend) {
    Gauge gauge = registry.find(name).tags("namespace", namespace, "backend", backend).gauge();
    return gauge == null ? null : gauge.value();
  }

  /**
   * Waits for the status of a resource to carry Ready, so no status write is in flight when the
   * operator stops (a watch closed mid-event stalls the mock API's shutdown).
   */
  private <R extends CustomResource<?, ? extends ConditionedStatus>> void settled(
      Class<R> kind, String namespace, String name) {
    Eventually.await(
        kind.getSimpleName() + " " + name + " has Ready",
        () -> {
          R resource = client.resources(kind).inNamespace(namespace).withName(name).get();
          return resource != null
              && resource.getStatus() != null
              && Conditions.find(resource.getStatus().getConditions(), Conditions.READY) != null;
        });
  }

  @Test
  void hostedBackendsCountTheirChecksAndTheGaugeSaysWhichKeyIsRefused() {
    var settings =
        ModelBackendReconcilerSettings.defaults()
            .withProviders(ProviderEndpoints.allAt(provider.url("/").toString()));
    try (RunningOperator operator =
        RunningOperator.start(api, new ModelBackendReconciler(settings, metrics))) {
      client.resource(HostedFixtures.sourceSecret("llm", "good-key", GOOD_KEY)).create();
      client.resource(HostedFixtures.sourceSecret("llm", "bad-key", BAD_KEY)).create();
      client.resource(HostedFixtures.hosted("llm", "good", "openai", "good-key", "")).create();
      client.resource(HostedFixtures.hosted("llm", "bad", "openai", "bad-key", "")).create();

      Eventually.await(
          "both keys checked",
          () ->
              Double.valueOf(1).equals(gauge(CredentialMetrics.VALID, "llm", "good"))
                  && Double.valueOf(0).equals(gauge(CredentialMetrics.VALID, "llm", "bad")));
      Eventually.await(
          "reconciles counted by outcome",
          () ->
              count("aihandler.operator.reconciles", "kind", "ModelBackend", "outcome", "ready")
                      >= 1
                  && count(
                          "aihandler.operator.reconciles",
                          "kind",
                          "ModelBackend",
                          "outcome",
                          "not_ready")
                      >= 1);
      settled(ModelBackend.class, "llm", "good");
      settled(ModelBackend.class, "llm", "bad");
    }

    assertThat(
            count(
                CredentialMetrics.CHECKS, "namespace", "llm", "backend", "good", "result", "valid"))
        .isEqualTo(1);
    assertThat(
            count(
                CredentialMetrics.CHECKS,
                "namespace",
                "llm",
                "backend",
                "bad",
                "result",
                "invalid"))
        .isEqualTo(1);
    assertThat(
            registry
                .find(CredentialMetrics.CHECKS)
                .tags("backend", "good", "result", "invalid")
                .counter())
        .isNull();
    assertThat(count("aihandler.operator.reconciles", "kind", "ModelBackend", "outcome", "error"))
        .isZero();
    Timer timer =
        registry.find("aihandler.operator.reconcile.duration").tag("kind", "ModelBackend").timer();
    assertThat(timer).isNotNull();
    assertThat(timer.count()).isGreaterThanOrEqualTo(2);
    assertThat(
            Arrays.stream(timer.takeSnapshot().histogramCounts())
                .map(bucket -> Duration.ofNanos((long) bucket.bucket())))
        .containsExactlyElementsOf(ReconcileMetrics.DURATION_BUCKETS);
    assertThat(registry.getMeters())
        .as("no series carries the key")
        .allSatisfy(
            meter ->
                assertThat(meter.getId().getTags().toString())
                    .doesNotContain(GOOD_KEY)
                    .doesNotContain(BAD_KEY));
  }

  @Test
  void aVllmBackendPublishesItsDesiredReplicasAndThatItIsNotReadyWhileNoPodServes() {
    try (RunningOperator operator =
        RunningOperator.start(
            api,
            new ModelBackendReconciler(
                new ModelBackendReconcilerSettings(
                    Clock.systemUTC(), Duration.ofSeconds(15), Duration.ofSeconds(1), pod -> null),
                metrics))) {
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
                      replicas: 2
                  """))
          .create();

      Eventually.await(
          "gauges of the vLLM backend",
          () ->
              Double.valueOf(2).equals(gauge(BackendMetrics.DESIRED, "models", "llama"))
                  && Double.valueOf(0).equals(gauge(BackendMetrics.READY, "models", "llama")));
      Eventually.await(
          "a not_ready reconcile",
          () ->
              count("aihandler.operator.reconciles", "kind", "ModelBackend", "outcome", "not_ready")
                  >= 1);
      assertThat(gauge(CredentialMetrics.VALID, "models", "llama")).isNull();
      settled(ModelBackend.class, "models", "llama");
      Condition ready =
          Conditions.find(
              client
                  .resources(ModelBackend.class)
                  .inNamespace("models")
                  .withName("llama")
                  .get()
                  .getStatus()
                  .getConditions(),
              Conditions.READY);
      Eventually.await(
          "the not-ready-since gauge holds the Ready condition's transition time",
          () ->
              Double.valueOf(Instant.parse(ready.getLastTransitionTime()).getEpochSecond())
                  .equals(gauge(BackendMetrics.NOT_READY_SINCE, "models", "llama")));
    }
  }

  @Test
  void theNotReadySinceGaugeIsZeroWhileReadyAndTheTransitionTimeOtherwise() {
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    Condition loading =
        new ConditionBuilder()
            .withType(Conditions.READY)
            .withStatus("False")
            .withReason("ModelLoading")
            .withLastTransitionTime("2026-03-01T09:15:00Z")
            .build();
    metrics.backends().readiness("models", "llama", List.of(loading), now);
    assertThat(gauge(BackendMetrics.READY, "models", "llama")).isZero();
    assertThat(gauge(BackendMetrics.NOT_READY_SINCE, "models", "llama"))
        .isEqualTo(Instant.parse("2026-03-01T09:15:00Z").getEpochSecond());

    metrics.backends().readiness("models", "fresh", List.of(), now);
    assertThat(gauge(BackendMetrics.NOT_READY_SINCE, "models", "fresh"))
        .as("no Ready condition yet: counted from now")
        .isEqualTo(now.getEpochSecond());

    Condition serving =
        new ConditionBuilder(loading)
            .withStatus("True")
            .withReason("Ready")
            .withLastTransitionTime("2026-03-01T09:40:00Z")
            .build();
    metrics.backends().readiness("models", "llama", List.of(serving), now);
    assertThat(gauge(BackendMetrics.READY, "models", "llama")).isEqualTo(1);
    assertThat(gauge(BackendMetrics.NOT_READY_SINCE, "models", "llama")).isZero();

    metrics.forgetBackend("models", "llama");
    assertThat(registry.find(BackendMetrics.NOT_READY_SINCE).tag("backend", "llama").gauge())
        .isNull();
  }

  @Test
  void aRoutingPolicyWithAMissingBackendIsCountedNotReady() {
    try (RunningOperator operator =
        RunningOperator.start(api, new RoutingPolicyReconciler(Clock.systemUTC(), metrics))) {
      client.resource(HostedFixtures.policy("team", "p", "llm/missing")).create();
      settled(RoutingPolicy.class, "team", "p");
      Eventually.await(
          "not_ready RoutingPolicy reconcile",
          () ->
              count(
                      "aihandler.operator.reconciles",
                      "kind",
                      "RoutingPolicy",
                      "outcome",
                      "not_ready")
                  >= 1);
      assertThat(
              count("aihandler.operator.reconciles", "kind", "RoutingPolicy", "outcome", "ready"))
          .isZero();
    }
  }

  @Test
  void aWorkflowWhosePolicyIsMissingIsCountedNotReady() {
    try (RunningOperator operator =
        RunningOperator.start(
            api, new WorkflowReconciler(Clock.systemUTC(), ProviderEndpoints.PUBLIC, metrics))) {
      client.resource(HostedFixtures.workflow("team", "wf", "missing-policy")).create();
      settled(Workflow.class, "team", "wf");
      Eventually.await(
          "not_ready Workflow reconcile",
          () ->
              count("aihandler.operator.reconciles", "kind", "Workflow", "outcome", "not_ready")
                  >= 1);
      assertThat(
              registry
                  .find("aihandler.operator.reconcile.duration")
                  .tag("kind", "Workflow")
                  .timer())
          .isNotNull();
    }
  }

  @Test
  void aReconcileThatThrowsIsCountedAsAnErrorAndTimed() {
    ModelBackend backend = HostedFixtures.hosted("llm", "gpt", "openai", "key", "");
    assertThatThrownBy(
            () ->
                metrics
                    .reconciles()
                    .<io.aihandler.api.v1alpha1.ModelBackendStatus, ModelBackend>time(
                        "ModelBackend",
                        backend,
                        () -> {
                          throw new IllegalStateException("apply refused");
                        }))
        .hasMessage("apply refused");

    assertThat(count("aihandler.operator.reconciles", "kind", "ModelBackend", "outcome", "error"))
        .isEqualTo(1);
    assertThat(
            registry
                .get("aihandler.operator.reconcile.duration")
                .tag("kind", "ModelBackend")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void anUnchangedStatusIsReadFromThePrimaryForTheOutcome() throws Exception {
    ModelBackend backend = HostedFixtures.hosted("llm", "gpt", "openai", "key", "");
    var status = new io.aihandler.api.v1alpha1.ModelBackendStatus();
    status.setConditions(
        java.util.List.of(
            new io.fabric8.kubernetes.api.model.ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .build()));
    backend.setStatus(status);

    metrics.reconciles().time("ModelBackend", backend, UpdateControl::noUpdate);

    assertThat(count("aihandler.operator.reconciles", "kind", "ModelBackend", "outcome", "ready"))
        .isEqualTo(1);
  }

  @Test
  void aDeletedBackendLosesEverySeriesItHad() {
    metrics.credentials().usable("llm", "gone", false);
    metrics
        .credentials()
        .checked("llm", "gone", io.aihandler.controllers.hosted.VerificationResult.Outcome.INVALID);
    metrics.backends().desiredReplicas("llm", "kept", 3);
    metrics.backends().ready("llm", "kept", true);
    metrics.backends().decided("llm", "kept", BackendMetrics.Direction.UP);
    ModelBackend gone = HostedFixtures.hosted("llm", "gone", "openai", "key", "");

    new DeletedBackendMetrics(metrics)
        .receivedEvent(
            new ResourceEvent(ResourceAction.DELETED, ResourceID.fromResource(gone), gone),
            Map.of());

    assertThat(registry.find(CredentialMetrics.VALID).tag("backend", "gone").gauge()).isNull();
    assertThat(registry.find(CredentialMetrics.CHECKS).tag("backend", "gone").counter()).isNull();
    assertThat(gauge(BackendMetrics.DESIRED, "llm", "kept")).isEqualTo(3);
    assertThat(gauge(BackendMetrics.READY, "llm", "kept")).isEqualTo(1);

    ModelBackend kept = HostedFixtures.hosted("llm", "kept", "openai", "key", "");
    new DeletedBackendMetrics(metrics)
        .receivedEvent(
            new ResourceEvent(ResourceAction.UPDATED, ResourceID.fromResource(kept), kept),
            Map.of());
    assertThat(gauge(BackendMetrics.DESIRED, "llm", "kept"))
        .as("only a delete forgets")
        .isEqualTo(3);
    metrics.forgetBackend("llm", "kept");
    assertThat(registry.find(BackendMetrics.DESIRED).gauge()).isNull();
    assertThat(registry.find(BackendMetrics.READY).gauge()).isNull();
    assertThat(registry.find(BackendMetrics.DECISIONS).counter()).isNull();
  }
}
