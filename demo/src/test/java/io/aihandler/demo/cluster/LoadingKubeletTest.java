package io.aihandler.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated cluster a scale-to-zero scene needs: pods that load before they are ready. */
class LoadingKubeletTest {

  @Test
  void followsTheReplicasWithAPodThatLoadsBeforeItIsReady() {
    try (MockKubernetesApi api = MockKubernetesApi.startWithCrds()) {
      var client = api.client();
      Deployment deployment =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName("llama")
              .withNamespace("llm-platform")
              .endMetadata()
              .withNewSpec()
              .withReplicas(0)
              .withNewSelector()
              .addToMatchLabels("app", "llama")
              .endSelector()
              .withNewTemplate()
              .withNewMetadata()
              .addToLabels("app", "llama")
              .endMetadata()
              .withNewSpec()
              .addNewContainer()
              .withName("vllm")
              .withImage("vllm/vllm-openai:v0.11.0")
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .build();
      client.resource(deployment).create();
      List<LoadingKubelet.Step> steps = new CopyOnWriteArrayList<>();
      try (LoadingKubelet kubelet =
          new LoadingKubelet(
                  client, "llm-platform", "llama", "127.0.0.2", Duration.ofMillis(800), steps::add)
              .start(Duration.ofMillis(50))) {
        client.apps().deployments().inNamespace("llm-platform").withName("llama").scale(1);
        Eventually.await("a loading pod", () -> steps.size() == 1);
        Pod loading = client.pods().inNamespace("llm-platform").withName("llama-0").get();
        assertThat(ready(loading)).isFalse();
        assertThat(loading.getStatus().getPodIP()).isEqualTo("127.0.0.2");

        Eventually.await("the pod ready", () -> steps.size() == 2);
        assertThat(Duration.between(steps.get(0).at(), steps.get(1).at()))
            .isGreaterThanOrEqualTo(Duration.ofMillis(800));
        assertThat(ready(client.pods().inNamespace("llm-platform").withName("llama-0").get()))
            .isTrue();
        assertThat(
                client
                    .apps()
                    .deployments()
                    .inNamespace("llm-platform")
                    .withName("llama")
                    .get()
                    .getStatus()
                    .getReadyReplicas())
            .isEqualTo(1);

        client.apps().deployments().inNamespace("llm-platform").withName("llama").scale(0);
        Eventually.await("the pod gone", () -> steps.size() == 3);
        assertThat(client.pods().inNamespace("llm-platform").withName("llama-0").get()).isNull();
        assertThat(steps.get(2).what()).startsWith("scaled to zero");
      }
    }
  }

  @Test
  void mountsAProjectedServiceAccountTokenMintedForItsAudience(@TempDir Path root)
      throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.startWithCrds()) {
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName("app-1")
              .withNamespace("support")
              .endMetadata()
              .withNewSpec()
              .withServiceAccountName("ticket-app")
              .addNewContainer()
              .withName("aihandler-router")
              .addNewVolumeMount()
              .withName("token")
              .withMountPath("/var/run/secrets/aihandler.io/activation")
              .endVolumeMount()
              .endContainer()
              .addNewVolume()
              .withName("token")
              .withNewProjected()
              .addNewSource()
              .withNewServiceAccountToken()
              .withAudience("aihandler.io/activation")
              .withPath("token")
              .endServiceAccountToken()
              .endSource()
              .endProjected()
              .endVolume()
              .endSpec()
              .build();
      List<String> minted = new CopyOnWriteArrayList<>();
      var mounts =
          new LocalKubelet(
                  api.client(),
                  (namespace, serviceAccount, name, audience) -> {
                    minted.add(namespace + "/" + serviceAccount + "/" + name + "/" + audience);
                    api.tokens().issue("demo-token-1", namespace, serviceAccount, name, audience);
                    return "demo-token-1";
                  })
              .mountVolumes(pod, pod.getSpec().getContainers().get(0), root);

      Path token = mounts.get("/var/run/secrets/aihandler.io/activation").resolve("token");
      assertThat(Files.readString(token)).isEqualTo("demo-token-1");
      assertThat(minted).containsExactly("support/ticket-app/app-1/aihandler.io/activation");
    }
  }

  @Test
  void deletesAtZeroThePodsAnotherKubeletStartedAndStartsNoneWhileOneRuns() {
    try (MockKubernetesApi api = MockKubernetesApi.startWithCrds()) {
      var client = api.client();
      client
          .resource(
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName("llama")
                  .withNamespace("llm-platform")
                  .endMetadata()
                  .withNewSpec()
                  .withReplicas(1)
                  .withNewSelector()
                  .addToMatchLabels("app", "llama")
                  .endSelector()
                  .withNewTemplate()
                  .withNewMetadata()
                  .addToLabels("app", "llama")
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("vllm")
                  .withImage("vllm/vllm-openai:v0.11.0")
                  .endContainer()
                  .endSpec()
                  .endTemplate()
                  .endSpec()
                  .build())
          .create();
      List<Pod> running = new LocalKubelet(client).runReady("llm-platform", "llama", "127.0.0.2");
      List<LoadingKubelet.Step> steps = new CopyOnWriteArrayList<>();
      try (LoadingKubelet kubelet =
          new LoadingKubelet(
                  client, "llm-platform", "llama", "127.0.0.2", Duration.ofMillis(100), steps::add)
              .start(Duration.ofMillis(50))) {
        // A ready pod runs: over a few steps, nothing is started.
        Thread.sleep(300);
        assertThat(steps).isEmpty();

        client.apps().deployments().inNamespace("llm-platform").withName("llama").scale(0);
        Eventually.await("the pod gone", () -> steps.size() == 1);
        assertThat(steps.getFirst().change()).isEqualTo(LoadingKubelet.Change.DELETED);
        assertThat(steps.getFirst().what()).contains(running.getFirst().getMetadata().getName());
        assertThat(client.pods().inNamespace("llm-platform").list().getItems()).isEmpty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }
}
