package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/**
 * What a backend costs. The router meters cost per request from it and the lowest-cost strategy
 * orders backends by it. All amounts are in US dollars.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Pricing(
    @JsonPropertyDescription("Price of one million input (prompt) tokens, in USD.") @Min(0)
        Double inputPerMillionTokens,
    @JsonPropertyDescription("Price of one million output (completion) tokens, in USD.") @Min(0)
        Double outputPerMillionTokens,
    @JsonPropertyDescription(
            "Self-hosted only: what one GPU costs per hour, in USD. Reported as the backend's"
                + " running cost; set the per-token prices too if the lowest-cost strategy should"
                + " compare this backend with hosted ones.")
        @Min(0)
        Double gpuHourly) {}
