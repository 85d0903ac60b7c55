package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Pricing;
import io.aihandler.api.v1alpha1.Scaling;
import io.aihandler.api.v1alpha1.ScalingMetric;
import io.aihandler.api.v1alpha1.VllmSpec;
import io.aihandler.controllers.routing.BackendLocality;

/**
 * What the economics need to know of one ModelBackend: where it runs and what it costs.
 *
 * @param name the backend as the sidecars label it (the ModelBackend's name)
 * @param locality in-cluster or external, with the API's defaults
 * @param selfHosted whether it is a vLLM backend, priced by GPU time
 * @param inputPerMillion USD per million input tokens; null when not priced
 * @param outputPerMillion USD per million output tokens; null when not priced
 * @param gpuHourly USD per GPU hour (vLLM); null when not priced
 * @param gpus GPUs per replica (vLLM)
 * @param minReplicas the fewest replicas the task needs on it: one (vLLM); a backend shared by
 *     several tasks or kept larger for other reasons costs the same whatever this task does, so the
 *     estimate charges the task only what its own load needs
 * @param concurrencyPerReplica requests a replica serves at once: the autoscaler's target for
 *     running requests, else the advisor's setting
 */
public record BackendProfile(
    String name,
    Locality locality,
    boolean selfHosted,
    Double inputPerMillion,
    Double outputPerMillion,
    Double gpuHourly,
    int gpus,
    int minReplicas,
    double concurrencyPerReplica) {

  /** The profile of a ModelBackend known under {@code name}. */
  public static BackendProfile of(String name, ModelBackend backend, AdvisorSettings settings) {
    Pricing pricing = backend.getSpec().pricing();
    VllmSpec vllm = backend.getSpec().vllm();
    int gpus = 0;
    int minReplicas = 0;
    double concurrency = settings.vllmConcurrencyPerReplica();
    if (vllm != null) {
      gpus = vllm.gpus() == null ? 1 : vllm.gpus();
      minReplicas = 1;
      Scaling scaling = vllm.scaling();
      if (scaling != null
          && scaling.metric() == ScalingMetric.RUNNING
          && scaling.target() != null) {
        concurrency = scaling.target();
      }
    }
    return new BackendProfile(
        name,
        BackendLocality.of(backend),
        vllm != null,
        pricing == null ? null : pricing.inputPerMillionTokens(),
        pricing == null ? null : pricing.outputPerMillionTokens(),
        pricing == null ? null : pricing.gpuHourly(),
        gpus,
        minReplicas,
        concurrency);
  }

  /** Whether it runs outside the cluster. */
  public boolean external() {
    return locality == Locality.EXTERNAL;
  }

  /** in-cluster or external, as the API spells it. */
  public String localityName() {
    return external() ? "external" : "in-cluster";
  }
}
