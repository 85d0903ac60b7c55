package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Sampling parameters of a task, translated per provider. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskParameters(
    @JsonPropertyDescription("Sampling temperature, 0-2 (clamped to 0-1 for Anthropic).")
        @Min(0)
        @Max(2)
        Double temperature,
    @JsonPropertyDescription("Most output tokens.") @Min(1) @Max(1000000) Integer maxTokens,
    @JsonPropertyDescription("Nucleus sampling, 0-1.") @Min(0) @Max(1) Double topP) {}
