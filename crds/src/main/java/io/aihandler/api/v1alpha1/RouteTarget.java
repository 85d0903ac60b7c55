package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** One backend a route may send work to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteTarget(
    @JsonPropertyDescription("The ModelBackend.") @Required BackendRef backend,
    @JsonPropertyDescription(
            "Share of traffic under the weighted strategy, relative to the other targets' weights;"
                + " 0 takes traffic only as a fallback.")
        @Default("1")
        @Min(0)
        @Max(1000)
        Integer weight,
    @JsonPropertyDescription(
            "Order under the failover strategy and for fallbacks: lower is tried first.")
        @Default("0")
        @Min(0)
        @Max(1000)
        Integer priority) {}
