package io.aihandler.controllers.vllm;

import io.aihandler.api.v1alpha1.Placement;
import io.aihandler.api.v1alpha1.SecretKeyRef;
import io.aihandler.api.v1alpha1.VllmSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Desired state of the vLLM Deployment of a ModelBackend: {@code vllm serve} with arguments from
 * the typed fields, GPUs, shared memory, the model cache, probes sized for slow model loads, a
 * drain before shutdown and a rollout that never drops below the current capacity.
 */
public final class VllmDeploymentBuilder {

  /** Name of the vLLM container. */
  public static final String CONTAINER_NAME = "vllm";

  static final int PROBE_PERIOD_SECONDS = 10;

  /** Time for endpoints and routers to stop sending new requests before vLLM gets SIGTERM. */
  static final int DRAIN_SECONDS = 20;

  /** Drain plus time for in-flight generations to finish after SIGTERM. */
  static final long TERMINATION_GRACE_SECONDS = 120;

  private VllmDeploymentBuilder() {}

  /**
   * Builds the Deployment.
   *
   * @param backend the resolved backend
   * @param replicas replicas to run: the fixed number, or the autoscaler's decision
   */
  public static Deployment build(VllmBackend backend, int replicas) {
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();

    // PyTorch's NCCL and data loaders use /dev/shm; the container runtime's 64 MiB default breaks
    // tensor parallelism, so it is a memory-backed volume.
    volumes.add(
        new VolumeBuilder()
            .withName("dshm")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .build());
    mounts.add(new VolumeMountBuilder().withName("dshm").withMountPath("/dev/shm").build());

    volumes.add(cacheVolume(backend));
    mounts.add(
        new VolumeMountBuilder()
            .withName("model-cache")
            .withMountPath(backend.cacheMountPath())
            .build());

    if (backend.model() instanceof ModelSource.Claim claim) {
      volumes.add(
          new VolumeBuilder()
              .withName("model-weights")
              .withNewPersistentVolumeClaim(claim.claimName(), true)
              .build());
      mounts.add(
          new VolumeMountBuilder()
              .withName("model-weights")
              .withMountPath(ModelSource.WEIGHTS_MOUNT_PATH)
              .withReadOnly(true)
              .build());
    }

    Container vllm =
        new ContainerBuilder()
            .withName(CONTAINER_NAME)
            .withImage(backend.image())
            // The command is explicit so the arguments do not depend on the image's entrypoint.
            .withCommand("vllm", "serve")
            .withArgs(arguments(backend))
            .withEnv(environment(backend))
            .addNewPort()
            .withName(VllmBackend.PORT_NAME)
            .withContainerPort(VllmBackend.PORT)
            .withProtocol("TCP")
            .endPort()
            .withResources(resources(backend))
            .withVolumeMounts(mounts)
            .withStartupProbe(startupProbe(backend.startupTimeout()))
            .withReadinessProbe(healthProbe(5, 3, 5))
            .withLivenessProbe(healthProbe(15, 4, 10))
            .withNewLifecycle()
            .withNewPreStop()
            .withNewExec()
            .withCommand("sleep", Integer.toString(DRAIN_SECONDS))
            .endExec()
            .endPreStop()
            .endLifecycle()
            .build();

    PodSpecBuilder pod =
        new PodSpecBuilder()
            .withContainers(vllm)
            .withVolumes(volumes)
            .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
            // A Service named like vLLM's VLLM_* settings (e.g. "vllm" -> VLLM_PORT) would inject
            // environment variables vLLM misreads; service links are not needed anyway.
            .withEnableServiceLinks(false);
    applyPlacement(pod, backend.spec().placement());

    return new DeploymentBuilder()
        .withMetadata(backend.ownedMetadata(backend.name()))
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(backend.selectorLabels())
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        // GPUs are scarce: add one new pod at a time and remove an old one only when the new one
        // serves, so a rollout never lowers capacity.
        .withNewRollingUpdate()
        .withMaxSurge(new IntOrString(1))
        .withMaxUnavailable(new IntOrString(0))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(backend.labels())
        .endMetadata()
        .withSpec(pod.build())
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The arguments after {@code vllm serve}: the model, then typed flags, then the free args. */
  static List<String> arguments(VllmBackend backend) {
    VllmSpec spec = backend.spec();
    List<String> args = new ArrayList<>();
    args.add(backend.model().servedPath());
    args.add("--served-model-name=" + backend.servedModelName());
    args.add("--host=0.0.0.0");
    args.add("--port=" + VllmBackend.PORT);
    args.add("--tensor-parallel-size=" + backend.tensorParallelSize());
    if (spec.revision() != null && backend.model() instanceof ModelSource.HuggingFace) {
      args.add("--revision=" + spec.revision());
    }
    if (spec.maxModelLen() != null) {
      args.add("--max-model-len=" + spec.maxModelLen());
    }
    if (spec.gpuMemoryUtilization() != null) {
      args.add("--gpu-memory-utilization=" + spec.gpuMemoryUtilization());
    }
    if (backend.servesEmbeddings()) {
      // The pooling runner serves /v1/embeddings. --convert=embed adapts a generative architecture
      // (e.g. a *ForCausalLM embedding model) and leaves a native embedding model as it is; left to
      // auto, a *ForSequenceClassification checkpoint would become a classifier instead.
      args.add("--runner=pooling");
      args.add("--convert=embed");
    }
    List<String> extra = spec.args() == null ? List.of() : spec.args();
    boolean loadFormatGiven =
        extra.stream().anyMatch(a -> a.equals("--load-format") || a.startsWith("--load-format="));
    if (backend.model() instanceof ModelSource.S3 && !loadFormatGiven) {
      // vLLM reads s3:// weights through the Run:ai model streamer.
      args.add("--load-format=runai_streamer");
    }
    args.addAll(extra);
    return args;
  }

  private static List<EnvVar> environment(VllmBackend backend) {
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar("HF_HOME", backend.cacheMountPath(), null));
    SecretKeyRef token = backend.spec().hfTokenSecretRef();
    if (token != null) {
      // Only the reference goes into the pod spec; the operator never reads the token itself.
      env.add(
          new EnvVarBuilder()
              .withName("HF_TOKEN")
              .withNewValueFrom()
              .withNewSecretKeyRef(token.key(), token.name(), false)
              .endValueFrom()
              .build());
    }
    if (backend.spec().env() != null) {
      env.addAll(backend.spec().env());
    }
    return env;
  }

  private static ResourceRequirements resources(VllmBackend backend) {
    ResourceRequirements given = backend.spec().resources();
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    if (given != null) {
      if (given.getRequests() != null) {
        requests.putAll(given.getRequests());
      }
      if (given.getLimits() != null) {
        limits.putAll(given.getLimits());
      }
    }
    // Extended resources such as GPUs must have equal requests and limits.
    Quantity gpus = new Quantity(Integer.toString(backend.gpus()));
    requests.put(backend.gpuResourceName(), gpus);
    limits.put(backend.gpuResourceName(), gpus);
    return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
  }

  private static Volume cacheVolume(VllmBackend backend) {
    VolumeBuilder volume = new VolumeBuilder().withName("model-cache");
    if (backend.createsCacheClaim()) {
      return volume.withNewPersistentVolumeClaim(backend.createdCacheClaimName(), false).build();
    }
    if (backend.cache() != null && backend.cache().existingClaim() != null) {
      return volume.withNewPersistentVolumeClaim(backend.cache().existingClaim(), false).build();
    }
    return volume.withNewEmptyDir().endEmptyDir().build();
  }

  /**
   * The startup probe holds back liveness until the weights are downloaded and loaded; its failure
   * threshold times its period is the startup timeout.
   */
  static Probe startupProbe(Duration startupTimeout) {
    long seconds = Math.max(PROBE_PERIOD_SECONDS, startupTimeout.toSeconds());
    int failures =
        (int)
            Math.min(
                Integer.MAX_VALUE, (seconds + PROBE_PERIOD_SECONDS - 1) / PROBE_PERIOD_SECONDS);
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/health")
        .withPort(new IntOrString(VllmBackend.PORT_NAME))
        .endHttpGet()
        .withPeriodSeconds(PROBE_PERIOD_SECONDS)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failures)
        .build();
  }

  private static Probe healthProbe(int periodSeconds, int failureThreshold, int timeoutSeconds) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/health")
        .withPort(new IntOrString(VllmBackend.PORT_NAME))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static void applyPlacement(PodSpecBuilder pod, Placement placement) {
    if (placement == null) {
      return;
    }
    pod.withNodeSelector(placement.nodeSelector())
        .withTolerations(placement.tolerations())
        .withAffinity(placement.affinity())
        .withTopologySpreadConstraints(placement.topologySpreadConstraints())
        .withPriorityClassName(placement.priorityClassName())
        .withRuntimeClassName(placement.runtimeClassName());
  }
}
