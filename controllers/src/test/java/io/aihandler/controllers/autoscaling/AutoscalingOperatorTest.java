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
import org.junit.jupiter.api.Test;

/**
 * The autoscaler inside the running operator: it reads a ready pod's metrics, writes the
 * Deployment's replicas and the status (desiredReplicas, scalingHistory), and leaves the
 * ModelBackend's spec alone so GitOps tools see no drift.
 */
class AutoscalingOperatorTest {

  @Test
  void loadOnTheReadyPodScalesTheDeploymentAndRecordsItInStatusNotSpec() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.startWithCrds();
        VllmMetricsPod metrics = new VllmMetricsPod("llama")) {
      KubernetesClient client = api.client();
      var settings =
          new ModelBackendReconcilerSettings(
              Clock.systemUTC(),
              Duration.ofMillis(200),
              Duration.ofSeconds(1),
              pod -> metrics.metricsUrl());
      RunningOperator operator = RunningOperator.start(api, new ModelBackendReconciler(settings));
      try {
        ModelBackend created =
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
                scaling: {minReplicas: 1, maxReplicas: 3, metric: queue, target: 5, scaleUpStabilization: 0s, scaleDownDelay: 10m}
            """,
                            ModelBackend.class))
                .create();
        Eventually.await(
            "Deployment at minReplicas",
            () -> {
              var d = client.apps().deployments().inNamespace("models").withName("llama").get();
              return d != null && d.getSpec().getReplicas() == 1;
            });

        metrics.load(40, 8, 0.95);
        Pod pod =
            new PodBuilder()
                .withNewMetadata()
                .withName("llama-0")
                .withNamespace("models")
                .addToLabels(VllmBackend.BACKEND_LABEL, "llama")
                .addToLabels("app.kubernetes.io/name", "vllm")
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

        Eventually.await(
            "scaled to max",
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
                    == 3);
        Eventually.await(
            "status records the decision",
            Duration.ofSeconds(20),
            () -> {
              var status =
                  client
                      .resources(ModelBackend.class)
                      .inNamespace("models")
                      .withName("llama")
                      .get()
                      .getStatus();
              return status != null
                  && Integer.valueOf(3).equals(status.getDesiredReplicas())
                  && status.getScalingHistory() != null;
            });
        ModelBackend after =
            client.resources(ModelBackend.class).inNamespace("models").withName("llama").get();
        assertThat(after.getStatus().getScalingHistory())
            .singleElement()
            .satisfies(
                event -> {
                  assertThat(event.from()).isEqualTo(1);
                  assertThat(event.to()).isEqualTo(3);
                  assertThat(event.reason()).contains("queue 40.00");
                });
        assertThat(after.getSpec()).isEqualTo(created.getSpec());
        assertThat(after.getSpec().vllm().replicas()).isNull();
        assertThat(after.getMetadata().getGeneration())
            .isEqualTo(created.getMetadata().getGeneration());
        assertThat(api.writes())
            .noneMatch(w -> w.path().contains("/modelbackends/") && !w.path().contains("/status"));
        assertThat(client.v1().events().inNamespace("models").list().getItems())
            .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Scaled"));
      } finally {
        operator.close();
      }
    }
  }
}
