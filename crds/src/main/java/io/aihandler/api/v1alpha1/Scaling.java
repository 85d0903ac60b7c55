package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Autoscaling of a vLLM backend: desired replicas = ceil(total signal / target), kept within
 * [max(1, minReplicas), maxReplicas]; with minReplicas 0, zero after a whole idle window.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.minReplicas <= self.maxReplicas",
    message = "scaling.minReplicas must not be greater than scaling.maxReplicas")
@ValidationRule(
    value = "self.metric != 'kvCache' || self.target <= 1.0",
    message =
        "with metric kvCache, target is the KV-cache fraction per replica: above 0 and at most 1"
            + " (e.g. 0.8)")
@ValidationRule(
    value = "!has(self.scaleToZeroAfter) || self.minReplicas == 0",
    message = "scaling.scaleToZeroAfter applies only with minReplicas: 0")
@ValidationRule(
    value =
        "!has(self.scaleToZeroAfter) || (duration(self.scaleToZeroAfter) >= duration('1m')"
            + " && duration(self.scaleToZeroAfter) <= duration('168h'))",
    message = "scaling.scaleToZeroAfter must be between 1m and 168h")
public record Scaling(
    @JsonPropertyDescription(
            "Fewest replicas, kept even when idle. 0 lets the backend scale to zero after"
                + " scaleToZeroAfter without any use; the next request wakes it.")
        @Default("1")
        @Min(0)
        @Max(1000)
        Integer minReplicas,
    @JsonPropertyDescription("Most replicas; bounds GPU spend.") @Required @Min(1) @Max(1000)
        Integer maxReplicas,
    @JsonPropertyDescription(
            "Signal to follow: queue (vllm:num_requests_waiting), running"
                + " (vllm:num_requests_running) or kvCache (vllm:kv_cache_usage_perc).")
        @Default("queue")
        ScalingMetric metric,
    @JsonPropertyDescription(
            "Target value of the metric per replica: waiting or running requests per pod, or the"
                + " KV-cache fraction (0-1] for kvCache.")
        @Required
        @Min(value = 0, inclusive = false)
        @Max(100000)
        Double target,
    @JsonPropertyDescription(
            "How long a higher recommendation must hold before scaling up. Sharp spikes (twice the"
                + " target or more) skip it.")
        @Default("30s")
        @Pattern(ApiPatterns.DURATION)
        String scaleUpStabilization,
    @JsonPropertyDescription(
            "How long load must stay lower before scaling down; protects against flapping and"
                + " slow model reloads.")
        @Default("5m")
        @Pattern(ApiPatterns.DURATION)
        String scaleDownDelay,
    @JsonPropertyDescription(
            "With minReplicas: 0, how long the backend must be wholly idle before it is scaled to"
                + " zero: no running or waiting request, no completed request"
                + " (vllm:request_success_total unchanged) and no activation over the whole"
                + " window. A router sidecar that needs it then activates it and holds or"
                + " spills over requests while it loads. Default 30m; refused when minReplicas"
                + " is above 0.")
        @Pattern(ApiPatterns.DURATION)
        String scaleToZeroAfter) {}
