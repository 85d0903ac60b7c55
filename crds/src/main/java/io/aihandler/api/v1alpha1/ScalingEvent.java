package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One autoscaling decision, kept in a short history in the status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScalingEvent(
    @JsonPropertyDescription("When the decision was made (RFC 3339).") String time,
    @JsonPropertyDescription("Replicas before.") Integer from,
    @JsonPropertyDescription("Replicas after.") Integer to,
    @JsonPropertyDescription("Why, e.g. 'queue 42.0 over target 5.0 per replica'.")
        String reason) {}
