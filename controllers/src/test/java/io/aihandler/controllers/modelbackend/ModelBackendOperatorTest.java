package io.aihandler.controllers.modelbackend;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.owned.OwnedObjectApplier;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.testing.ServerSideApplyDispatcher;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ModelBackend reconciler in a running JOSDK operator against fabric8's CRUD mock with the
 * server-side-apply shim. The mock runs no controllers: the test plays the Deployment controller,
 * scheduler and kubelet by writing Deployment and pod status.
 */
class ModelBackendOperatorTest {

  private static final String LLAMA =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama, namespace: models}
      spec:
        vllm:
          model: hf://meta-llama/Llama-3.1-8B-Instruct
          replicas: 2
          hfTokenSecretRef: {name: hf-token, key: token}
          cache: {size: 100Gi}
      """;

  /** Counts reconciliations, to know that one happened during an idle window. */
  static final class CountingReconciler extends ModelBackendReconciler {
    final AtomicInteger reconciliations = new AtomicInteger();

    @Override
    public UpdateControl<ModelBackend> reconcile(
        ModelBackend backend, Context<ModelBackend> context) throws Exception {
      try {
        return super.reconcile(backend, context);
      } finally {
        reconciliations.incrementAndGet();
      }
    }
  }

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;
  private final CountingReconciler reconciler = new CountingReconciler();

  @BeforeEach
  void start() {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    operator = RunningOperator.start(api, reconciler);
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private ModelBackend create(String yaml) {
    ModelBackend backend = client.getKubernetesSerialization().unmarshal(yaml, ModelBackend.class);
    return client.resource(backend).create();
  }

  private ModelBackend backend(String name) {
    return client.resources(ModelBackend.class).inNamespace("models").withName(name).get();
  }

  private Condition condition(String name, String type) {
    ModelBackend backend = backend(name);
    return backend.getStatus() == null
        ? null
        : Conditions.find(backend.getStatus().getConditions(), type);
  }

  private boolean readyReasonIs(String name, String reason) {
    Condition ready = condition(name, Conditions.READY);
    return ready != null && reason.equals(ready.getReason());
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("models").withName(name).get();
  }

  private void putPod(Pod pod) {
    Pod existing = client.pods().inNamespace("models").withName(pod.getMetadata().getName()).get();
    if (existing == null) {
      client.resource(pod).create();
      existing = client.pods().inNamespace("models").withName(pod.getMetadata().getName()).get();
    }
    existing.setStatus(pod.getStatus());
    client.resource(existing).updateStatus();
  }

  private void setPodStatus(String name, PodStatus status) {
    putPod(VllmPods.pod("llama", name, status));
  }

  @Test
  void createBuildsEveryOwnedObjectWithAnOwnerReferenceAndReportsProgress() {
    ModelBackend created = create(LLAMA);
    String uid = created.getMetadata().getUid();

    Eventually.await(
        "Deployment, Service, PVC and PDB",
        () ->
            deployment("llama") != null
                && client.services().inNamespace("models").withName("llama").get() != null
                && client
                        .persistentVolumeClaims()
                        .inNamespace("models")
                        .withName("llama-model-cache")
                        .get()
                    != null
                && client
                        .policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace("models")
                        .withName("llama")
                        .get()
                    != null);

    List<HasMetadata> owned =
        List.of(
            deployment("llama"),
            client.services().inNamespace("models").withName("llama").get(),
            client
                .persistentVolumeClaims()
                .inNamespace("models")
                .withName("llama-model-cache")
                .get(),
            client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace("models")
                .withName("llama")
                .get());
    // Every object the operator created carries the owner reference the garbage collector follows.
    assertThat(api.writes())
        .filteredOn(
            w ->
                w.method().equals("PATCH")
                    && !w.path().contains("/status")
                    && !w.path().contains("modelbackends"))
        .hasSize(owned.size());
    for (HasMetadata object : owned) {
      assertThat(object.getMetadata().getOwnerReferences())
          .as(object.getKind())
          .singleElement()
          .satisfies(
              ref -> {
                assertThat(ref.getUid()).isEqualTo(uid);
                assertThat(ref.getKind()).isEqualTo("ModelBackend");
                assertThat(ref.getController()).isTrue();
              });
    }
    assertThat(deployment("llama").getSpec().getReplicas()).isEqualTo(2);

    Eventually.await(
        "status with endpoint",
        () ->
            backend("llama").getStatus() != null
                && backend("llama").getStatus().getEndpoint() != null);
    var status = backend("llama").getStatus();
    assertThat(status.getEndpoint()).isEqualTo("http://llama.models.svc:8000/v1");
    assertThat(status.getDesiredReplicas()).isEqualTo(2);
    assertThat(status.getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
    assertThat(status.getType()).isEqualTo("vllm");
    Condition ready = Conditions.find(status.getConditions(), Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(VllmWorkloadHealth.REASON_PROGRESSING);
    assertThat(ready.getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
  }

  @Test
  void statusFollowsTheWorkloadFromMissingGpusToServing() {
    create(LLAMA);
    Eventually.await("Deployment", () -> deployment("llama") != null);

    setPodStatus(
        "llama-a",
        VllmPods.unschedulable("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."));
    Eventually.await(
        "InsufficientGPUs",
        () -> readyReasonIs("llama", VllmWorkloadHealth.REASON_INSUFFICIENT_GPUS));
    assertThat(condition("llama", Conditions.READY).getMessage())
        .contains("llama-a", "nvidia.com/gpu");
    assertThat(condition("llama", Conditions.WORKLOAD_AVAILABLE).getStatus()).isEqualTo("False");

    setPodStatus("llama-a", VllmPods.imagePullFailing());
    Eventually.await(
        "ImagePullFailing",
        () -> readyReasonIs("llama", VllmWorkloadHealth.REASON_IMAGE_PULL_FAILING));
    assertThat(condition("llama", Conditions.READY).getMessage())
        .contains(io.aihandler.controllers.vllm.VllmBackend.DEFAULT_IMAGE);

    setPodStatus("llama-a", VllmPods.crashLooping());
    Eventually.await(
        "CrashLooping", () -> readyReasonIs("llama", VllmWorkloadHealth.REASON_CRASH_LOOPING));
    assertThat(condition("llama", Conditions.READY).getMessage())
        .contains("OOMKilled", "kubectl logs llama-a --previous");

    setPodStatus("llama-a", VllmPods.loading());
    Eventually.await(
        "ModelLoading", () -> readyReasonIs("llama", VllmWorkloadHealth.REASON_MODEL_LOADING));

    setPodStatus("llama-a", VllmPods.serving("10.0.0.7"));
    Deployment deployment = deployment("llama");
    deployment.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .withReplicas(2)
            .withUpdatedReplicas(2)
            .withReadyReplicas(1)
            .withAvailableReplicas(1)
            .build());
    client.resource(deployment).updateStatus();

    Eventually.await("Serving", () -> readyReasonIs("llama", VllmWorkloadHealth.REASON_SERVING));
    assertThat(condition("llama", Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition("llama", Conditions.WORKLOAD_AVAILABLE).getStatus()).isEqualTo("True");
    assertThat(condition("llama", Conditions.READY).getMessage())
        .startsWith("1 of 2 vLLM pods serving");
    assertThat(backend("llama").getStatus().getReadyReplicas()).isEqualTo(1);
    assertThat(backend("llama").getStatus().getReplicas()).isEqualTo(2);

    List<Event> events = client.v1().events().inNamespace("models").list().getItems();
    assertThat(events)
        .extracting(Event::getReason)
        .contains(
            VllmWorkloadHealth.REASON_INSUFFICIENT_GPUS,
            VllmWorkloadHealth.REASON_IMAGE_PULL_FAILING,
            VllmWorkloadHealth.REASON_CRASH_LOOPING,
            VllmWorkloadHealth.REASON_SERVING);
    assertThat(events)
        .filteredOn(e -> e.getReason().equals(VllmWorkloadHealth.REASON_CRASH_LOOPING))
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
  }

  @Test
  void changingTheSpecRollsTheDeploymentAndDropsWhatIsNoLongerWanted() {
    create(LLAMA);
    Eventually.await(
        "PDB",
        () ->
            client.policy().v1().podDisruptionBudget().inNamespace("models").withName("llama").get()
                != null);
    String firstHash =
        deployment("llama")
            .getMetadata()
            .getAnnotations()
            .get(OwnedObjectApplier.DESIRED_HASH_ANNOTATION);

    ModelBackend changed =
        client
            .getKubernetesSerialization()
            .unmarshal(
                LLAMA
                    .replace("replicas: 2", "replicas: 1\n    maxModelLen: 16384")
                    .replace("    cache: {size: 100Gi}\n", ""),
                ModelBackend.class);
    // The operator writes the status at the same time; like any client, retry on a conflict.
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
          } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 409) {
              return false;
            }
            throw e;
          }
        });

    Eventually.await(
        "rolled Deployment",
        () ->
            deployment("llama")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getArgs()
                .contains("--max-model-len=16384"));
    Deployment rolled = deployment("llama");
    assertThat(rolled.getSpec().getReplicas()).isEqualTo(1);
    assertThat(
            rolled.getMetadata().getAnnotations().get(OwnedObjectApplier.DESIRED_HASH_ANNOTATION))
        .isNotEqualTo(firstHash);
    assertThat(rolled.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("model-cache"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    Eventually.await(
        "PDB and PVC removed",
        () ->
            client.policy().v1().podDisruptionBudget().inNamespace("models").withName("llama").get()
                    == null
                && client
                        .persistentVolumeClaims()
                        .inNamespace("models")
                        .withName("llama-model-cache")
                        .get()
                    == null);
    Eventually.await(
        "observedGeneration 2",
        () -> Long.valueOf(2).equals(backend("llama").getStatus().getObservedGeneration()));
  }

  @Test
  void anUnchangedSpecCausesNoWritesEvenWhenReconciled() {
    create(LLAMA);
    Eventually.await(
        "settled status",
        () ->
            backend("llama").getStatus() != null
                && deployment("llama") != null
                && client
                        .persistentVolumeClaims()
                        .inNamespace("models")
                        .withName("llama-model-cache")
                        .get()
                    != null);
    Eventually.await(
        "no writes for a while", Duration.ofSeconds(10), () -> quietFor(Duration.ofMillis(500)));

    // Something unrelated changes on an owned object: the operator reconciles, and must not write.
    int reconciliationsBefore = reconciler.reconciliations.get();
    Service service = client.services().inNamespace("models").withName("llama").get();
    service.getMetadata().getLabels().put("team", "platform");
    client.resource(service).update();
    int writesAfterTouch = api.writes().size();

    String statusBefore = client.getKubernetesSerialization().asJson(backend("llama").getStatus());
    Eventually.await(
        "a reconciliation", () -> reconciler.reconciliations.get() > reconciliationsBefore);
    sleep(Duration.ofSeconds(1));
    assertThat(client.getKubernetesSerialization().asJson(backend("llama").getStatus()))
        .isEqualTo(statusBefore);
    List<ServerSideApplyDispatcher.Write> idleWrites =
        api.writes().subList(writesAfterTouch, api.writes().size());
    assertThat(idleWrites).as("API writes during the idle window").isEmpty();
  }

  @Test
  void aSpecTheControllerCannotServeIsReportedNotRetriedForever() {
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: uneven, namespace: models}
        spec:
          vllm: {model: "hf://org/model", gpus: 3, tensorParallelSize: 2}
        """);
    Eventually.await(
        "InvalidSpec", () -> readyReasonIs("uneven", VllmWorkloadHealth.REASON_INVALID_SPEC));
    assertThat(condition("uneven", Conditions.READY).getMessage()).contains("spec.vllm.gpus");
    assertThat(deployment("uneven")).isNull();
  }

  @Test
  void hostedBackendsAreLeftAloneWithoutFailing() {
    create(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: claude, namespace: models}
        spec:
          hosted: {provider: anthropic, model: claude-sonnet-4-5, credentials: {secretRef: {name: anthropic, key: api-key}}}
        """);
    Eventually.await("a reconciliation", () -> reconciler.reconciliations.get() > 0);
    sleep(Duration.ofMillis(300));
    assertThat(deployment("claude")).isNull();
    assertThat(client.services().inNamespace("models").withName("claude").get()).isNull();
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
