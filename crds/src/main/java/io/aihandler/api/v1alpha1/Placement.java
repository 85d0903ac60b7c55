package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** Scheduling of the vLLM pods, copied as given into their pod template. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Placement(
    @JsonPropertyDescription(
            "Node labels the pods require, e.g. {\"nvidia.com/gpu.product\": \"NVIDIA-H100-80GB-HBM3\"}.")
        Map<String, String> nodeSelector,
    @JsonPropertyDescription("Tolerations, typically for the taint on GPU nodes.") @Size(max = 32)
        List<Toleration> tolerations,
    @JsonPropertyDescription("Node and pod affinity rules.") Affinity affinity,
    @JsonPropertyDescription("How replicas spread over zones or nodes.") @Size(max = 8)
        List<TopologySpreadConstraint> topologySpreadConstraints,
    @JsonPropertyDescription("PriorityClass of the pods, so GPU workloads can preempt batch jobs.")
        @Size(max = 253)
        String priorityClassName,
    @JsonPropertyDescription(
            "RuntimeClass of the pods, e.g. nvidia when the GPU runtime is not the default.")
        @Size(max = 253)
        String runtimeClassName) {}
