package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ScalingEvent;
import io.aihandler.controllers.modelbackend.ModelBackendReconciler;
import io.aihandler.controllers.modelbackend.ModelBackendReconcilerSettings;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.LaggingInformerStore;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two scaling decisions in a row while the controller's informer has not yet seen the status the
 * first one wrote, as happens after every write (the Deployment write triggers the next
 * reconciliation at once). The informer is held back on purpose ({@link LaggingInformerStore}), so
 * the reconciliations in between deterministically start from the stale primary: the status must
 * still keep both decisions in {@code scalingHistory}.
 */
class ScalingHistoryOnStaleCacheTest {

  private static final String BACKEND =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama, namespace: models}
      spec:
        vllm:
          model: hf://meta-llama/Llama-3.1-8B-Instruct
          scaling: {minReplicas: 1, maxReplicas: 3, metric: queue, target: 5, scaleUpStabilization: 0s, scaleDownDelay: 10m}
      """;

  private final LaggingInformerStore<ModelBackend> informer = new LaggingInformerStore<>();
  private MockKubernetesApi api;
  private KubernetesClient client;
  private VllmMetricsPod metrics;
  private RunningOperator operator;

  @BeforeEach
  void start() throws Exception {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    metrics = new VllmMetricsPod("llama");
    var settings =
        new ModelBackendReconcilerSettings(
            Clock.systemUTC(),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            pod -> metrics.metricsUrl());
    operator =
        RunningOperator.start(
            api, new ModelBackendReconciler(settings), o -> o.withItemStore(informer));
    client
        .resource(client.getKubernetesSerialization().unmarshal(BACKEND, ModelBackend.class))
        .create();
    Eventually.await("a Deployment at minReplicas", () -> deploymentReplicas() == 1);
    readyPod();
    Eventually.await(
        "a settled status the informer has seen",
        () ->
            stored().getStatus() != null
                && Integer.valueOf(1).equals(stored().getStatus().getDesiredReplicas())
                && stored()
                    .getMetadata()
                    .getResourceVersion()
                    .equals(informer.resourceVersion("models", "llama")));
  }

  @AfterEach
  void stop() {
    informer.catchUp();
    operator.close();
    metrics.close();
    api.close();
  }

  @Test
  void reconciliationsOnTheStalePrimaryKeepEveryDecision() {
    informer.hold();

    metrics.load(7, 5, 0.5);
    Eventually.await("scaled to 2", () -> deploymentReplicas() == 2);
    Eventually.await("1 -> 2 recorded", () -> history().size() == 1);
    metrics.load(12, 5, 0.5);
    Eventually.await("scaled to 3", () -> deploymentReplicas() == 3);
    Eventually.await(
        "2 -> 3 recorded",
        () -> Integer.valueOf(3).equals(stored().getStatus().getDesiredReplicas()));
    assertThat(informer.waiting()).as("the informer is still behind").isPositive();

    informer.catchUp();
    awaitQuiet();
    assertThat(fromTo(history())).containsExactly(List.of(1, 2), List.of(2, 3));
    assertThat(informer.overdue()).isZero();
  }

  /**
   * The informer lets through the first decision's status but not yet the second's: what the
   * controller now reads is older than its own last write. A status written from it is refused (it
   * names an old resourceVersion) and built again on the status that refused it, never sent as it
   * was.
   */
  @Test
  void aStatusBuiltOnAnOldPrimaryIsBuiltAgainOnTheStoredOne() {
    informer.hold();
    metrics.load(7, 5, 0.5);
    Eventually.await("1 -> 2 recorded", () -> history().size() == 1);
    metrics.load(12, 5, 0.5);
    Eventually.await("2 -> 3 recorded", () -> history().size() == 2);
    Eventually.await("the first write held back", () -> informer.waiting() == 1);

    int refusedBefore = api.staleApplies();
    informer.letOneThrough();
    Eventually.await(
        "a status write from the informer's older copy, refused",
        () -> api.staleApplies() > refusedBefore);

    long writesBefore = statusWrites();
    informer.catchUp();
    Eventually.await("the refused status written again", () -> statusWrites() > writesBefore);
    awaitQuiet();
    assertThat(fromTo(history())).containsExactly(List.of(1, 2), List.of(2, 3));
    assertThat(stored().getStatus().getDesiredReplicas()).isEqualTo(3);
  }

  /**
   * Until the informer holds what is stored and no status write came for half a second: a write
   * refused meanwhile has been retried by then.
   */
  private void awaitQuiet() {
    long[] seen = {statusWrites(), System.nanoTime()};
    Eventually.await(
        "the informer caught up and the status writes stopped",
        () -> {
          long writes = statusWrites();
          if (writes != seen[0]) {
            seen[0] = writes;
            seen[1] = System.nanoTime();
            return false;
          }
          return System.nanoTime() - seen[1] > Duration.ofMillis(500).toNanos()
              && stored()
                  .getMetadata()
                  .getResourceVersion()
                  .equals(informer.resourceVersion("models", "llama"));
        });
  }

  private long statusWrites() {
    return api.writes().stream()
        .filter(w -> w.path().contains("/modelbackends/llama/status"))
        .count();
  }

  private ModelBackend stored() {
    return client.resources(ModelBackend.class).inNamespace("models").withName("llama").get();
  }

  private List<ScalingEvent> history() {
    List<ScalingEvent> history = stored().getStatus().getScalingHistory();
    return history == null ? List.of() : history;
  }

  private static List<List<Integer>> fromTo(List<ScalingEvent> history) {
    return history.stream().map(e -> List.of(e.from(), e.to())).toList();
  }

  private int deploymentReplicas() {
    var deployment = client.apps().deployments().inNamespace("models").withName("llama").get();
    return deployment == null ? -1 : deployment.getSpec().getReplicas();
  }

  private void readyPod() {
    Pod pod =
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
            .build();
    client.resource(pod).create();
    Pod stored = client.pods().inNamespace("models").withName("llama-0").get();
    stored.setStatus(
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP("10.1.2.3")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .build());
    client.resource(stored).updateStatus();
  }
}
