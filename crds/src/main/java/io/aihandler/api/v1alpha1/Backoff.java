package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Exponential backoff with jitter between retries; a Retry-After from the backend wins. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(!has(self.initial) || duration(self.initial) <= duration('1h'))"
            + " && (!has(self.max) || duration(self.max) <= duration('1h'))",
    message = "backoff.initial and backoff.max must be at most 1h")
public record Backoff(
    @JsonPropertyDescription("Wait before the first retry; doubled on each further one.")
        @Default("250ms")
        @Pattern(ApiPatterns.DURATION)
        String initial,
    @JsonPropertyDescription("Longest wait between two attempts.")
        @Default("10s")
        @Pattern(ApiPatterns.DURATION)
        String max) {}
