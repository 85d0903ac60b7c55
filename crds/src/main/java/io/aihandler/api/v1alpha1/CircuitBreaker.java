package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Per-backend circuit breaker in each sidecar: when too many recent calls fail, the backend is
 * skipped for a while instead of adding latency to every request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.minimumCalls) || !has(self.windowSize) || self.minimumCalls <= self.windowSize",
    message = "circuitBreaker.minimumCalls must not exceed windowSize, or the rate is never judged")
@ValidationRule(
    value = "!has(self.openDuration) || duration(self.openDuration) <= duration('1h')",
    message = "circuitBreaker.openDuration must be at most 1h")
public record CircuitBreaker(
    @JsonPropertyDescription("Failure percentage over the window that opens the circuit.")
        @Default("50")
        @Min(1)
        @Max(100)
        Integer failureRateThreshold,
    @JsonPropertyDescription("Calls needed in the window before the rate is judged.")
        @Default("10")
        @Min(1)
        @Max(1000)
        Integer minimumCalls,
    @JsonPropertyDescription(
            "Number of most recent calls the failure rate is computed over. Each sidecar keeps a"
                + " slot per call for every backend, so it is at most 1000.")
        @Default("20")
        @Min(1)
        @Max(1000)
        Integer windowSize,
    @JsonPropertyDescription(
            "How long an open circuit stays open before trial calls are let through.")
        @Default("30s")
        @Pattern(ApiPatterns.DURATION)
        String openDuration) {}
