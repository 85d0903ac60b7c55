package io.aihandler.controllers.modelbackend;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.testing.ServerSideApplyDispatcher;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator owns stays as it built it, and what it cannot write is reported: a hand edit of
 * the vLLM Deployment is put back by the reconcile the edit triggers, and an apply the API server
 * refuses turns Ready False with the reason instead of leaving an old Ready True standing.
 */
class HandEditsAndFailuresTest {

  private static final String LLAMA =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama, namespace: models}
      spec:
        vllm:
          model: hf://meta-llama/Llama-3.1-8B-Instruct
          replicas: 2
          gpus: 1
      """;

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;

  @BeforeEach
  void start() {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    operator = RunningOperator.start(api, new ModelBackendReconciler());
    client
        .resource(client.getKubernetesSerialization().unmarshal(LLAMA, ModelBackend.class))
        .create();
    Eventually.await("Deployment", () -> deployment() != null && backend().getStatus() != null);
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace("models").withName("llama").get();
  }

  private ModelBackend backend() {
    return client.resources(ModelBackend.class).inNamespace("models").withName("llama").get();
  }

  private Condition ready() {
    ModelBackend backend = backend();
    return backend.getStatus() == null
        ? null
        : Conditions.find(backend.getStatus().getConditions(), Conditions.READY);
  }

  private static Container vllm(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  @Test
  void aHandEditOfImageArgsAndGpusIsPutBackAndOtherFieldsAreKept() {
    Deployment built = deployment();
    List<String> args = vllm(built).getArgs();
    Map<String, Quantity> limits = vllm(built).getResources().getLimits();

    Deployment edited = deployment();
    vllm(edited).setImage("registry.example/patched-vllm:latest");
    vllm(edited).setArgs(List.of("--model=/models/other", "--enforce-eager"));
    vllm(edited).getResources().getLimits().put("nvidia.com/gpu", new Quantity("8"));
    vllm(edited).getResources().getRequests().put("nvidia.com/gpu", new Quantity("8"));
    edited.getSpec().setReplicas(5);
    edited.getMetadata().getLabels().put("team", "platform");
    client.resource(edited).update();

    Eventually.await(
        "the Deployment as built",
        () -> VllmBackend.DEFAULT_IMAGE.equals(vllm(deployment()).getImage()));
    Deployment restored = deployment();
    assertThat(vllm(restored).getArgs()).isEqualTo(args);
    assertThat(vllm(restored).getResources().getLimits()).isEqualTo(limits);
    assertThat(vllm(restored).getResources().getRequests().get("nvidia.com/gpu"))
        .isEqualTo(new Quantity("1"));
    assertThat(restored.getSpec().getReplicas())
        .as("spec.vllm.replicas is fixed, so the operator owns it")
        .isEqualTo(2);
    assertThat(restored.getMetadata().getLabels())
        .as("a label the operator does not set")
        .containsEntry("team", "platform");

    // Put back once: the restored object is as desired, so no further write follows.
    Eventually.await(
        "no writes for a while", Duration.ofSeconds(10), () -> quietFor(Duration.ofMillis(500)));
    int before = api.writes().size();
    sleep(Duration.ofSeconds(1));
    assertThat(api.writes().subList(before, api.writes().size()))
        .as("writes after the restore")
        .isEmpty();
  }

  @Test
  void aRefusedApplyTurnsReadyFalseWithTheReasonAndAWarning() {
    client.resource(VllmPods.pod("llama", "llama-a", VllmPods.serving("10.0.0.7"))).create();
    var pod = client.pods().inNamespace("models").withName("llama-a").get();
    pod.setStatus(VllmPods.serving("10.0.0.7"));
    client.resource(pod).updateStatus();
    Deployment deployment = deployment();
    deployment.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .withReplicas(2)
            .withUpdatedReplicas(2)
            .withReadyReplicas(1)
            .withAvailableReplicas(1)
            .build());
    client.resource(deployment).updateStatus();
    Eventually.await("Ready True", () -> ready() != null && "True".equals(ready().getStatus()));
    // The activation endpoint's field: no status this reconciler writes may carry it.
    String activation = "2026-03-01T09:00:00.123Z";
    client
        .resources(ModelBackend.class)
        .inNamespace("models")
        .withName("llama")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"lastActivationTime\":\"" + activation + "\"}}");

    api.refuse(
        new ServerSideApplyDispatcher.Refusal(
            "/deployments/llama",
            "spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]",
            "exceeded quota: gpus, requested: nvidia.com/gpu=4"));
    editSpec(LLAMA.replace("gpus: 1", "gpus: 4"));

    Eventually.await(
        "Ready False ApplyFailed",
        () -> ready() != null && Conditions.APPLY_FAILED.equals(ready().getReason()));
    Condition failed = ready();
    assertThat(failed.getStatus()).isEqualTo("False");
    assertThat(failed.getObservedGeneration()).isEqualTo(backend().getMetadata().getGeneration());
    assertThat(failed.getMessage())
        .contains(
            "cannot apply Deployment models/llama",
            "HTTP 422 Invalid",
            "containers[0].resources.limits[nvidia.com/gpu]",
            "exceeded quota");
    assertThat(backend().getStatus().getEndpoint())
        .as("the rest of the status is kept")
        .isEqualTo("http://llama.models.svc:8000/v1");
    assertThat(client.v1().events().inNamespace("models").list().getItems())
        .filteredOn(e -> Conditions.APPLY_FAILED.equals(e.getReason()))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"))
        .extracting(Event::getMessage)
        .asString()
        .contains("Deployment models/llama");

    // Once the API server takes it, JOSDK's retry applies the new spec and Ready is recomputed.
    api.acceptAll();
    Eventually.await(
        "four GPUs applied",
        Duration.ofSeconds(30),
        () ->
            new Quantity("4")
                .equals(vllm(deployment()).getResources().getLimits().get("nvidia.com/gpu")));
    Eventually.await(
        "Ready no longer ApplyFailed",
        Duration.ofSeconds(10),
        () -> !Conditions.APPLY_FAILED.equals(ready().getReason()));
    assertThat(backend().getStatus().getLastActivationTime())
        .as("left to the activation endpoint by the error status and the statuses after it")
        .isEqualTo(activation);
  }

  private void editSpec(String yaml) {
    ModelBackend changed = client.getKubernetesSerialization().unmarshal(yaml, ModelBackend.class);
    Eventually.await(
        "spec updated",
        () -> {
          try {
            client
                .resources(ModelBackend.class)
                .inNamespace("models")
                .withName("llama")
                .edit(
                    current -> {
                      current.setSpec(changed.getSpec());
                      return current;
                    });
            return true;
          } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
              return false;
            }
            throw e;
          }
        });
  }

  private boolean quietFor(Duration window) {
    int before = api.writes().size();
    sleep(window);
    return api.writes().size() == before;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
