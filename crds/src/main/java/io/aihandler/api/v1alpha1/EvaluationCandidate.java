package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** One backend a task is evaluated on, and the share of its requests mirrored to it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationCandidate(
    @JsonPropertyDescription("The candidate ModelBackend.") @Required BackendRef backend,
    @JsonPropertyDescription("Share of the task's requests mirrored to it, from 0 to 1, e.g. 0.1.")
        @Required
        @Min(0)
        @Max(1)
        Double sampleRate) {}
