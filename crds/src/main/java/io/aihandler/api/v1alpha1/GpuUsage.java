package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The GPU time a vLLM backend used, and what scale to zero saved, since the operator began
 * counting. Used is replicas that exist x GPUs per replica x time; saved is the one replica a
 * backend with {@code minReplicas: 0} would otherwise keep x GPUs x the time it spent at zero.
 *
 * @param since when counting began (RFC 3339)
 * @param accountedAt when the totals were last brought up to date (RFC 3339)
 * @param gpuHoursUsed GPU-hours the backend's pods held
 * @param gpuHoursSaved GPU-hours not spent because the backend was scaled to zero
 * @param costUsd gpuHoursUsed x spec.pricing.gpuHourly, when that price is set
 * @param savedUsd gpuHoursSaved x spec.pricing.gpuHourly, when that price is set
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GpuUsage(
    @JsonPropertyDescription("When counting began (RFC 3339).") String since,
    @JsonPropertyDescription(
            "When the totals were last brought up to date (RFC 3339); they are updated at least"
                + " every 5 minutes and whenever the replicas change.")
        String accountedAt,
    @JsonPropertyDescription("GPU-hours held by the backend's pods: replicas x GPUs x time.")
        Double gpuHoursUsed,
    @JsonPropertyDescription(
            "GPU-hours not spent thanks to scale to zero: one replica's GPUs x the time spent at"
                + " zero replicas.")
        Double gpuHoursSaved,
    @JsonPropertyDescription("gpuHoursUsed x spec.pricing.gpuHourly, in USD, when that is set.")
        Double costUsd,
    @JsonPropertyDescription("gpuHoursSaved x spec.pricing.gpuHourly, in USD, when that is set.")
        Double savedUsd) {}
