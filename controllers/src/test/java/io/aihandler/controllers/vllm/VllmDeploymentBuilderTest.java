package io.aihandler.controllers.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.testing.ModelBackends;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

class VllmDeploymentBuilderTest {

  private static Container container(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  private static Volume volume(Deployment deployment, String name) {
    return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  @Test
  void defaultsPinTheImageServeUnderTheBackendNameAndShardOverAllGpus() {
    Deployment deployment =
        VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.minimal()), 1);
    Container vllm = container(deployment);

    assertThat(vllm.getImage()).isEqualTo(VllmBackend.DEFAULT_IMAGE).doesNotEndWith(":latest");
    assertThat(vllm.getCommand()).containsExactly("vllm", "serve");
    assertThat(vllm.getArgs())
        .startsWith("Qwen/Qwen2.5-7B-Instruct")
        .contains("--served-model-name=qwen-small", "--port=8000", "--tensor-parallel-size=1")
        .noneMatch(a -> a.startsWith("--max-model-len") || a.startsWith("--revision"));
    assertThat(vllm.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(volume(deployment, "model-cache").getEmptyDir()).isNotNull();
  }

  @Test
  void typedFieldsBecomeFlagsAndFreeArgsComeLast() {
    VllmBackend backend = VllmBackend.of(VllmBackendExamples.llama70b());
    Container vllm = container(VllmDeploymentBuilder.build(backend, 2));

    assertThat(vllm.getArgs())
        .containsExactly(
            "meta-llama/Llama-3.3-70B-Instruct",
            "--served-model-name=llama-70b",
            "--host=0.0.0.0",
            "--port=8000",
            "--tensor-parallel-size=4",
            "--revision=6f6073b423013f6a7d4d9f39144961bfbfbc386b",
            "--max-model-len=32768",
            "--gpu-memory-utilization=0.92",
            "--enable-prefix-caching");
  }

  @Test
  void anEmbeddingBackendRunsThePoolingRunnerBeforeTheFreeArgs() {
    VllmBackend backend = VllmBackend.of(VllmBackendExamples.bgeM3());
    Container vllm = container(VllmDeploymentBuilder.build(backend, 1));

    assertThat(backend.servesEmbeddings()).isTrue();
    assertThat(vllm.getArgs())
        .containsExactly(
            "BAAI/bge-m3",
            "--served-model-name=bge-m3",
            "--host=0.0.0.0",
            "--port=8000",
            "--tensor-parallel-size=1",
            "--revision=5617a9f61b028005a4858fdac845db406aefb181",
            "--max-model-len=8192",
            "--runner=pooling",
            "--convert=embed",
            "--max-num-seqs=256");
    // The pooling server answers /health like the generate one: the same probes apply.
    assertThat(vllm.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(vllm.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(vllm.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
  }

  @Test
  void aChatBackendKeepsVllmsOwnRunnerChoice() {
    for (ModelBackend chat :
        new ModelBackend[] {VllmBackendExamples.minimal(), VllmBackendExamples.llama70b()}) {
      VllmBackend backend = VllmBackend.of(chat);
      assertThat(backend.servesEmbeddings()).isFalse();
      assertThat(container(VllmDeploymentBuilder.build(backend, 1)).getArgs())
          .as(chat.getMetadata().getName())
          .noneMatch(
              a -> a.startsWith("--runner") || a.startsWith("--convert") || a.startsWith("--task"));
    }
  }

  @Test
  void theDefaultVectorSpaceIsWhatTheWeightsAreNotWhatTheServerIsCalled() {
    assertThat(VllmBackend.of(VllmBackendExamples.bgeM3()).defaultVectorSpace())
        .isEqualTo("BAAI/bge-m3");
    ModelBackend onClaim =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: in-house-embeddings, namespace: models}
            spec:
              vllm: {model: "pvc://weights/e5/large", servedModelName: e5}
              capabilities: {chat: false, embeddings: {dimensions: 1024}}
            """);
    assertThat(VllmBackend.of(onClaim).defaultVectorSpace()).isEqualTo("pvc://weights/e5/large");
  }

  @Test
  void gpusAreRequestedAndLimitedUnderTheResourceNameBesideCpuAndMemory() {
    VllmBackend backend = VllmBackend.of(VllmBackendExamples.llama70b());
    var resources = container(VllmDeploymentBuilder.build(backend, 1)).getResources();

    assertThat(resources.getRequests())
        .containsEntry("nvidia.com/gpu", new Quantity("4"))
        .containsEntry("cpu", new Quantity("8"))
        .containsEntry("memory", new Quantity("64Gi"));
    assertThat(resources.getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("4"))
        .containsEntry("memory", new Quantity("96Gi"));

    ModelBackend amd =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: mi300, namespace: models}
            spec:
              vllm: {model: "hf://Qwen/Qwen2.5-72B-Instruct", gpus: 8, tensorParallelSize: 4, gpuResourceName: amd.com/gpu}
            """);
    Container onAmd = container(VllmDeploymentBuilder.build(VllmBackend.of(amd), 1));
    assertThat(onAmd.getResources().getLimits())
        .containsOnlyKeys("amd.com/gpu")
        .containsEntry("amd.com/gpu", new Quantity("8"));
    assertThat(onAmd.getArgs()).contains("--tensor-parallel-size=4");
  }

  @Test
  void sharedMemoryIsMemoryBackedAndTheCacheIsTheCreatedClaimAtHfHome() {
    Deployment deployment =
        VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.llama70b()), 1);
    Container vllm = container(deployment);

    assertThat(volume(deployment, "dshm").getEmptyDir().getMedium()).isEqualTo("Memory");
    assertThat(volume(deployment, "model-cache").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("llama-70b-model-cache");
    assertThat(vllm.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/dev/shm"))
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/root/.cache/huggingface"));
    assertThat(vllm.getEnv()).contains(new EnvVar("HF_HOME", "/root/.cache/huggingface", null));
  }

  @Test
  void hfTokenComesFromTheSecretReferenceNeverAsAValue() {
    Container vllm =
        container(VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.llama70b()), 1));
    EnvVar token =
        vllm.getEnv().stream()
            .filter(e -> e.getName().equals("HF_TOKEN"))
            .findFirst()
            .orElseThrow();

    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    assertThat(vllm.getEnv()).extracting(EnvVar::getName).contains("VLLM_LOGGING_LEVEL");
  }

  @Test
  void placementIsCopiedAsGiven() {
    PodSpec pod =
        VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.llama70b()), 1)
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(pod.getNodeSelector())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    assertThat(pod.getTopologySpreadConstraints())
        .singleElement()
        .satisfies(c -> assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone"));
    assertThat(pod.getPriorityClassName()).isEqualTo("inference-high");
    assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
    assertThat(pod.getEnableServiceLinks()).isFalse();
  }

  @Test
  void startupProbeCoversTheStartupTimeoutAndLivenessWaitsForIt() {
    Container vllm =
        container(VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.llama70b()), 1));
    var startup = vllm.getStartupProbe();

    assertThat(startup.getHttpGet().getPath()).isEqualTo("/health");
    assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isEqualTo(45 * 60);
    assertThat(vllm.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(vllm.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");

    Container defaulted =
        container(VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.minimal()), 1));
    assertThat(
            defaulted.getStartupProbe().getPeriodSeconds()
                * defaulted.getStartupProbe().getFailureThreshold())
        .isEqualTo(30 * 60);
  }

  @Test
  void rolloutAddsOnePodAtATimeAndShutdownDrainsFirst() {
    Deployment deployment =
        VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.minimal()), 3);
    var rolling = deployment.getSpec().getStrategy().getRollingUpdate();

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(rolling.getMaxSurge().getIntVal()).isEqualTo(1);
    assertThat(rolling.getMaxUnavailable().getIntVal()).isZero();
    assertThat(container(deployment).getLifecycle().getPreStop().getExec().getCommand())
        .containsExactly("sleep", "20");
    assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isGreaterThan(20L);
  }

  @Test
  void ownedByTheModelBackendAndSelectingOnlyItsPods() {
    ModelBackend owner = VllmBackendExamples.llama70b();
    Deployment deployment = VllmDeploymentBuilder.build(VllmBackend.of(owner), 1);

    assertThat(deployment.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
              assertThat(ref.getKind()).isEqualTo("ModelBackend");
              assertThat(ref.getController()).isTrue();
            });
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .containsEntry(VllmBackend.BACKEND_LABEL, "llama-70b");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void weightsOnAClaimAreMountedReadOnlyAndS3UsesTheStreamer() {
    ModelBackend onClaim =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: in-house, namespace: models}
            spec:
              vllm: {model: "pvc://weights/llama/3.3-70b", cache: {existingClaim: shared-cache, mountPath: /cache}}
            """);
    Deployment deployment = VllmDeploymentBuilder.build(VllmBackend.of(onClaim), 1);
    assertThat(container(deployment).getArgs().getFirst()).isEqualTo("/mnt/models/llama/3.3-70b");
    assertThat(volume(deployment, "model-weights").getPersistentVolumeClaim().getReadOnly())
        .isTrue();
    assertThat(volume(deployment, "model-weights").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("weights");
    assertThat(volume(deployment, "model-cache").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("shared-cache");
    assertThat(container(deployment).getEnv()).contains(new EnvVar("HF_HOME", "/cache", null));

    ModelBackend onS3 =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: from-s3, namespace: models}
            spec:
              vllm: {model: "s3://models/llama-3.3-70b/", revision: main}
            """);
    assertThat(container(VllmDeploymentBuilder.build(VllmBackend.of(onS3), 1)).getArgs())
        .startsWith("s3://models/llama-3.3-70b/")
        .contains("--load-format=runai_streamer")
        .noneMatch(a -> a.startsWith("--revision"));
  }

  @Test
  void aSpecThatCannotBeServedIsRefusedWithTheFieldNamed() {
    ModelBackend unevenGpus =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: uneven, namespace: models}
            spec:
              vllm: {model: "hf://org/model", gpus: 3, tensorParallelSize: 2}
            """);
    assertThatThrownBy(() -> VllmBackend.of(unevenGpus)).hasMessageContaining("spec.vllm.gpus");

    ModelBackend badTimeout =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: slow, namespace: models}
            spec:
              vllm: {model: "hf://org/model", startupTimeout: "forever"}
            """);
    assertThatThrownBy(() -> VllmBackend.of(badTimeout))
        .hasMessageContaining("spec.vllm.startupTimeout")
        .hasMessageContaining("forever");

    // The CRD refuses these at apply; a spec stored past it (an older CRD) still never runs a
    // pooling server the router would send chat to, or scales one on a KV cache it does not hold.
    ModelBackend embeddingsThatChat =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: both, namespace: models}
            spec:
              vllm: {model: "hf://BAAI/bge-m3"}
              capabilities: {embeddings: {dimensions: 1024}}
            """);
    assertThatThrownBy(() -> VllmBackend.of(embeddingsThatChat))
        .hasMessageContaining("spec.capabilities.chat must be false");

    ModelBackend embeddingsOnKvCache =
        ModelBackends.fromYaml(
            """
            apiVersion: aihandler.io/v1alpha1
            kind: ModelBackend
            metadata: {name: kv, namespace: models}
            spec:
              vllm: {model: "hf://BAAI/bge-m3", scaling: {maxReplicas: 2, metric: kvCache, target: 0.8}}
              capabilities: {chat: false, embeddings: {dimensions: 1024}}
            """);
    assertThatThrownBy(() -> VllmBackend.of(embeddingsOnKvCache))
        .hasMessageContaining("spec.vllm.scaling.metric kvCache");
  }

  @Test
  void everyVariantValidatesAgainstTheStrictKubernetesSchema() {
    KubernetesSchemas schemas = KubernetesSchemas.required();
    for (ModelBackend backend :
        new ModelBackend[] {
          VllmBackendExamples.minimal(), VllmBackendExamples.llama70b(), VllmBackendExamples.bgeM3()
        }) {
      Deployment deployment = VllmDeploymentBuilder.build(VllmBackend.of(backend), 2);
      assertThat(schemas.validate(deployment)).as(backend.getMetadata().getName()).isEmpty();
    }
  }

  @Test
  void theSchemaCheckCatchesAMisspeltField() {
    KubernetesSchemas schemas = KubernetesSchemas.required();
    Deployment deployment =
        VllmDeploymentBuilder.build(VllmBackend.of(VllmBackendExamples.minimal()), 1);
    deployment.getSpec().getTemplate().getSpec().setAdditionalProperty("toleration", "oops");
    assertThat(schemas.validate(deployment)).anySatisfy(e -> assertThat(e).contains("toleration"));
  }
}
