package io.aihandler.controllers.vllm;

import io.aihandler.api.v1alpha1.Capabilities;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelCache;
import io.aihandler.api.v1alpha1.Scaling;
import io.aihandler.api.v1alpha1.ScalingMetric;
import io.aihandler.api.v1alpha1.VllmSpec;
import io.aihandler.controllers.owned.ControllerReference;
import io.aihandler.controllers.owned.ManagedLabels;
import io.aihandler.router.config.Durations;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A ModelBackend's {@code spec.vllm} with every default the controller owns filled in, plus the
 * names and labels of the objects built for it. All defaults of the vLLM workload live here, so
 * every builder agrees on them.
 *
 * @param owner the ModelBackend
 * @param spec its vllm section as written
 * @param servedModelName the name vLLM serves (default: metadata.name)
 * @param image the container image (default: {@link #DEFAULT_IMAGE})
 * @param gpus GPUs per replica
 * @param tensorParallelSize tensor-parallel size (default: gpus)
 * @param gpuResourceName the extended resource GPUs are requested under
 * @param model where the weights come from
 * @param startupTimeout how long a pod may take to load the model
 */
public record VllmBackend(
    ModelBackend owner,
    VllmSpec spec,
    String servedModelName,
    String image,
    int gpus,
    int tensorParallelSize,
    String gpuResourceName,
    ModelSource model,
    Duration startupTimeout) {

  /**
   * The vLLM image used when the spec names none: pinned, never {@code latest}, so an operator
   * upgrade is the only thing that changes it.
   */
  public static final String DEFAULT_IMAGE = "vllm/vllm-openai:v0.13.0";

  /** vLLM's OpenAI-compatible server port. */
  public static final int PORT = 8000;

  /** Name of the container port, used by probes and the Service. */
  public static final String PORT_NAME = "http";

  /** Label naming the ModelBackend on every object and pod built for it. */
  public static final String BACKEND_LABEL = "aihandler.io/model-backend";

  /** Value of {@code app.kubernetes.io/managed-by} on everything the operator builds. */
  public static final String MANAGED_BY = ManagedLabels.OPERATOR;

  static final String DEFAULT_GPU_RESOURCE = "nvidia.com/gpu";
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(30);
  static final String DEFAULT_CACHE_MOUNT = "/root/.cache/huggingface";

  public VllmBackend {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(spec, "spec");
  }

  /**
   * Resolves the defaults of a ModelBackend that has {@code spec.vllm}.
   *
   * @throws IllegalArgumentException with a message naming the field when the spec cannot be served
   *     (the CRD's validation normally refuses such specs first)
   */
  public static VllmBackend of(ModelBackend backend) {
    VllmSpec spec = backend.getSpec() == null ? null : backend.getSpec().vllm();
    if (spec == null) {
      throw new IllegalArgumentException(
          "ModelBackend " + backend.getMetadata().getName() + " has no spec.vllm");
    }
    int gpus = spec.gpus() == null ? 1 : spec.gpus();
    int tensorParallel = spec.tensorParallelSize() == null ? gpus : spec.tensorParallelSize();
    if (gpus % tensorParallel != 0) {
      throw new IllegalArgumentException(
          "spec.vllm.gpus ("
              + gpus
              + ") must be a multiple of tensorParallelSize ("
              + tensorParallel
              + ")");
    }
    if (spec.replicas() != null && spec.scaling() != null) {
      throw new IllegalArgumentException(
          "set either spec.vllm.replicas or spec.vllm.scaling, not both");
    }
    Capabilities capabilities = backend.getSpec().capabilities();
    if (capabilities != null && capabilities.embeddings() != null) {
      if (!Boolean.FALSE.equals(capabilities.chat())) {
        throw new IllegalArgumentException(
            "spec.capabilities.chat must be false when spec.capabilities.embeddings is set: vLLM serves an"
                + " embedding model with its pooling runner, which serves no chat");
      }
      if (spec.scaling() != null && spec.scaling().metric() == ScalingMetric.KV_CACHE) {
        throw new IllegalArgumentException(
            "spec.vllm.scaling.metric kvCache is no load signal for an embedding model: use queue or running");
      }
    }
    return new VllmBackend(
        backend,
        spec,
        spec.servedModelName() == null ? backend.getMetadata().getName() : spec.servedModelName(),
        spec.image() == null ? DEFAULT_IMAGE : spec.image(),
        gpus,
        tensorParallel,
        spec.gpuResourceName() == null ? DEFAULT_GPU_RESOURCE : spec.gpuResourceName(),
        ModelSource.parse(spec.model()),
        Durations.parseOrDefault(
            "spec.vllm.startupTimeout", spec.startupTimeout(), DEFAULT_STARTUP_TIMEOUT));
  }

  /** The ModelBackend's name, also the name of its Deployment, Service and PodDisruptionBudget. */
  public String name() {
    return owner.getMetadata().getName();
  }

  public String namespace() {
    return owner.getMetadata().getNamespace();
  }

  /**
   * Whether vLLM runs the model as an embedding model (its pooling runner): the backend declares
   * {@code capabilities.embeddings}, which {@link #of} only accepts together with {@code chat:
   * false}.
   */
  public boolean servesEmbeddings() {
    Capabilities capabilities = owner.getSpec().capabilities();
    return capabilities != null && capabilities.embeddings() != null;
  }

  /**
   * The vector space of the backend's embeddings when the spec names none: what the weights are
   * (the Hugging Face repository, else the model URI), not what the server is called, so two
   * backends serving the same weights count as one space.
   */
  public String defaultVectorSpace() {
    return model instanceof ModelSource.HuggingFace hub ? hub.repository() : spec.model();
  }

  /** Whether the autoscaler decides the replicas. */
  public boolean autoscaled() {
    return spec.scaling() != null;
  }

  /** Replicas of a backend without autoscaling: spec.vllm.replicas, default 1. */
  public int fixedReplicas() {
    return spec.replicas() == null ? 1 : spec.replicas();
  }

  /** Fewest replicas the autoscaler keeps. */
  public int minReplicas() {
    Scaling scaling = spec.scaling();
    return scaling == null || scaling.minReplicas() == null ? 1 : scaling.minReplicas();
  }

  /** The most replicas that may ever run, which decides whether a PodDisruptionBudget is useful. */
  public int maxReplicas() {
    return autoscaled() ? spec.scaling().maxReplicas() : fixedReplicas();
  }

  /** The cache section, or null when the model cache is an emptyDir. */
  public ModelCache cache() {
    return spec.cache();
  }

  /** Whether the operator creates a PersistentVolumeClaim for the model cache. */
  public boolean createsCacheClaim() {
    return spec.cache() != null && spec.cache().size() != null;
  }

  /** Name of the claim the operator creates for the model cache. */
  public String createdCacheClaimName() {
    return name() + "-model-cache";
  }

  /** Where the model cache is mounted (also HF_HOME). */
  public String cacheMountPath() {
    return spec.cache() == null || spec.cache().mountPath() == null
        ? DEFAULT_CACHE_MOUNT
        : spec.cache().mountPath();
  }

  /** The in-cluster base URL routers use: the Service, OpenAI-compatible under /v1. */
  public String endpoint() {
    return "http://" + name() + "." + namespace() + ".svc:" + PORT + "/v1";
  }

  /** Labels selecting this backend's vLLM pods; stable for the life of the Deployment. */
  public Map<String, String> selectorLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "vllm");
    labels.put(BACKEND_LABEL, name());
    return labels;
  }

  /** The selector as the text form the scale subresource publishes. */
  public String selectorText() {
    StringBuilder text = new StringBuilder();
    selectorLabels()
        .forEach(
            (key, value) ->
                text.append(text.isEmpty() ? "" : ",").append(key).append('=').append(value));
    return text.toString();
  }

  /** Labels of every object and pod built for this backend. */
  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>(selectorLabels());
    labels.put("app.kubernetes.io/instance", name());
    labels.put(ManagedLabels.COMPONENT, "model-server");
    labels.put(ManagedLabels.MANAGED_BY, MANAGED_BY);
    return labels;
  }

  /** Metadata of an owned object: name, namespace, labels and the controller owner reference. */
  public ObjectMeta ownedMetadata(String objectName) {
    return new ObjectMetaBuilder()
        .withName(objectName)
        .withNamespace(namespace())
        .withLabels(labels())
        .withOwnerReferences(ownerReference())
        .build();
  }

  /**
   * The reference that makes the ModelBackend the controller of an object, so the garbage collector
   * deletes the object with it.
   */
  public OwnerReference ownerReference() {
    return ControllerReference.to(owner);
  }
}
