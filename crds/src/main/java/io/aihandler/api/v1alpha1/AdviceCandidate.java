package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The backend the advice would move a task to, with the figures that justify it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AdviceCandidate(
    @JsonPropertyDescription("The candidate backend, as the router configuration names it.")
        String backend,
    @JsonPropertyDescription(
            "The figures in one line, e.g. 'llama-3-3-70b: 96.1% valid first try vs 99.8% on"
                + " claude, projected cost -87%, p95 +0.4s, data class allows it'.")
        String summary,
    @JsonPropertyDescription("Share of its answers valid on the first try, 0 to 1.")
        Double validFirstTry,
    @JsonPropertyDescription("Projected cost per month on it at the observed volume, in USD.")
        Double projectedCostPerMonth,
    @JsonPropertyDescription(
            "Projected cost change against the current backend, in percent (negative is cheaper).")
        Double costChangePercent,
    @JsonPropertyDescription("Its p95 latency minus the current backend's, in seconds.")
        Double p95DeltaSeconds,
    @JsonPropertyDescription("Whether every data class observed on the task may reach it.")
        Boolean dataClassAllows) {}
