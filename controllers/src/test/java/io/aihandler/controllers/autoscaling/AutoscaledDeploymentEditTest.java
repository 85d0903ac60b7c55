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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A hand edit of an autoscaled backend's Deployment is put back without touching the replicas the
 * autoscaler decided: the revert restores what the spec says, not the spec's minimum.
 */
class AutoscaledDeploymentEditTest {

  @Test
  void anEditedImageIsPutBackAndTheAutoscalersReplicasStay() throws Exception {
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
        Eventually.await("Deployment", () -> deployment(client) != null);
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
            () -> deployment(client).getSpec().getReplicas() == 3);

        Deployment edited = deployment(client);
        edited
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .getFirst()
            .setImage("registry.example/patched-vllm:latest");
        client.resource(edited).update();

        Eventually.await(
            "image put back",
            () ->
                VllmBackend.DEFAULT_IMAGE.equals(
                    deployment(client)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getImage()));
        assertThat(deployment(client).getSpec().getReplicas())
            .as("the autoscaler's decision, not minReplicas")
            .isEqualTo(3);
      } finally {
        operator.close();
      }
    }
  }

  private static Deployment deployment(KubernetesClient client) {
    return client.apps().deployments().inNamespace("models").withName("llama").get();
  }
}
