package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.modelbackend.ModelBackendReconciler;
import io.aihandler.controllers.modelbackend.ModelBackendReconcilerSettings;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The ModelBackend controller against the mock API with a stand-in vLLM pod serving real metric
 * text, on a clock that runs 600 times faster than the wall clock: a backend with {@code
 * minReplicas: 0} that serves a request and then idles for a whole {@code scaleToZeroAfter} goes to
 * zero, says so in status, history and an Event, counts the GPU-hours it saves, and never touches
 * its spec.
 */
class ScaleToZeroOperatorTest {

  /** Simulated time: ten simulated minutes per real second. */
  static final class FastClock extends Clock {
    private final Instant start = Instant.parse("2026-03-01T09:00:00Z");
    private final long realStart = System.nanoTime();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return start.plusNanos((System.nanoTime() - realStart) * 600);
    }
  }

  @Test
  void anIdleBackendGoesToZeroAfterItsWindowAndReportsWhy() throws Exception {
    FastClock clock = new FastClock();
    try (MockKubernetesApi api = MockKubernetesApi.startWithCrds();
        VllmMetricsPod metrics = new VllmMetricsPod("llama")) {
      KubernetesClient client = api.client();
      var settings =
          new ModelBackendReconcilerSettings(
              clock, Duration.ofMillis(100), Duration.ofSeconds(1), pod -> metrics.metricsUrl());
      try (RunningOperator operator =
          RunningOperator.start(api, new ModelBackendReconciler(settings))) {
        client
            .resource(
                client
                    .getKubernetesSerialization()
                    .unmarshal(
                        """
                        apiVersion: aihandler.io/v1alpha1
                        kind: ModelBackend
                        metadata: {name: llama, namespace: models}
                        spec:
                          vllm:
                            model: hf://meta-llama/Llama-3.1-8B-Instruct
                            gpus: 2
                            scaling:
                              minReplicas: 0
                              maxReplicas: 2
                              target: 5
                              scaleToZeroAfter: 20m
                          pricing: {gpuHourly: 3.0}
                        """,
                        ModelBackend.class))
            .create();
        Eventually.await(
            "a Deployment at zero",
            () -> {
              var d = client.apps().deployments().inNamespace("models").withName("llama").get();
              return d != null && d.getSpec().getReplicas() == 0;
            });

        // Woken by an activation, with a pod that becomes ready and serves.
        client
            .resources(ModelBackend.class)
            .inNamespace("models")
            .withName("llama")
            .subresource("status")
            .patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"status\":{\"lastActivationTime\":\"" + clock.instant() + "\"}}");
        Eventually.await(
            "woken to one replica",
            () ->
                client
                        .apps()
                        .deployments()
                        .inNamespace("models")
                        .withName("llama")
                        .get()
                        .getSpec()
                        .getReplicas()
                    == 1);
        metrics.load(0, 1, 0.1).completed(10);
        readyPod(client);
        markDeploymentReady(client, 1);

        // It serves for a while, then idles: the counter stops, nothing is in flight.
        Thread.sleep(300);
        metrics.load(0, 0, 0.0).completed(12);
        Instant idleFrom = clock.instant();
        Eventually.await(
            "scaled to zero after the idle window",
            Duration.ofSeconds(20),
            () ->
                client
                        .apps()
                        .deployments()
                        .inNamespace("models")
                        .withName("llama")
                        .get()
                        .getSpec()
                        .getReplicas()
                    == 0);
        Instant zeroAt = clock.instant();
        assertThat(Duration.between(idleFrom, zeroAt))
            .as("not before a whole window of simulated idle time")
            .isGreaterThanOrEqualTo(Duration.ofMinutes(20));

        // The Deployment is written before the status: wait for the decision to be recorded.
        Eventually.await(
            "the scale to zero in the history",
            () ->
                client
                        .resources(ModelBackend.class)
                        .inNamespace("models")
                        .withName("llama")
                        .get()
                        .getStatus()
                        .getScalingHistory()
                        .getLast()
                        .to()
                    == 0);
        ModelBackend stored =
            client.resources(ModelBackend.class).inNamespace("models").withName("llama").get();
        var last = stored.getStatus().getScalingHistory().getLast();
        assertThat(last.from()).isEqualTo(1);
        assertThat(last.to()).isZero();
        assertThat(last.reason()).startsWith("idle for 20m");
        assertThat(stored.getSpec().vllm().scaling().minReplicas()).isZero();
        Eventually.await(
            "Ready True, ScaledToZero",
            () -> {
              var status =
                  client
                      .resources(ModelBackend.class)
                      .inNamespace("models")
                      .withName("llama")
                      .get()
                      .getStatus();
              return status.getConditions().stream()
                  .anyMatch(
                      c ->
                          c.getType().equals("Ready")
                              && c.getStatus().equals("True")
                              && c.getReason().equals("ScaledToZero"));
            });
        // One Event for the scaling decision, one for Ready's new reason.
        assertThat(
                client.v1().events().inNamespace("models").list().getItems().stream()
                    .filter(e -> "ScaledToZero".equals(e.getReason()))
                    .map(e -> e.getMessage())
                    .toList())
            .anySatisfy(m -> assertThat(m).startsWith("Scaled from 1 to 0 replicas: idle for 20m"))
            .anySatisfy(
                m ->
                    assertThat(m)
                        .isEqualTo("Scaled to zero while idle; the next request wakes it"));

        // Idle at zero, the saved GPU-hours grow: 2 GPUs x simulated time, priced at $3.
        markDeploymentReady(client, 0);
        Eventually.await(
            "GPU-hours saved",
            Duration.ofSeconds(20),
            () -> {
              var usage =
                  client
                      .resources(ModelBackend.class)
                      .inNamespace("models")
                      .withName("llama")
                      .get()
                      .getStatus()
                      .getGpuUsage();
              return usage != null && usage.gpuHoursSaved() != null && usage.gpuHoursSaved() > 1;
            });
        var usage =
            client
                .resources(ModelBackend.class)
                .inNamespace("models")
                .withName("llama")
                .get()
                .getStatus()
                .getGpuUsage();
        assertThat(usage.gpuHoursUsed()).isPositive();
        assertThat(usage.savedUsd()).isEqualTo(Math.round(usage.gpuHoursSaved() * 3.0 * 1e6) / 1e6);
      }
    }
  }

  private static void readyPod(KubernetesClient client) {
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
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Running")
            .withPodIP("10.1.2.3")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .build());
    client.resource(stored).updateStatus();
  }

  private static void markDeploymentReady(KubernetesClient client, int replicas) {
    var deployment = client.apps().deployments().inNamespace("models").withName("llama").get();
    deployment.setStatus(
        new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
            .withReplicas(replicas)
            .withReadyReplicas(replicas)
            .withAvailableReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .build());
    client.resource(deployment).updateStatus();
    if (replicas == 0) {
      client.pods().inNamespace("models").withName("llama-0").delete();
    }
  }
}
