package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Client-side limits each router sidecar keeps for this backend, so a burst is queued or routed
 * elsewhere before the provider answers 429. They apply per sidecar, not cluster-wide.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Limits(
    @JsonPropertyDescription("Most requests per minute one sidecar sends to this backend.")
        @Min(1)
        @Max(1000000)
        Integer requestsPerMinute,
    @JsonPropertyDescription("Most tokens (input plus output) per minute one sidecar sends.")
        @Min(1)
        @Max(1000000000)
        Integer tokensPerMinute,
    @JsonPropertyDescription("Most requests one sidecar keeps in flight to this backend at once.")
        @Min(1)
        @Max(10000)
        Integer maxConcurrency) {}
