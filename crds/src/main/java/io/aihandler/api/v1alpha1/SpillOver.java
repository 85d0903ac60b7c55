package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What the missing in-cluster capacity of a vLLM backend cost: the requests the router sidecars
 * sent at once to a later target of the route because this backend had no ready replica, and what
 * those requests cost at that target's pricing, read from Prometheus over two windows.
 *
 * @param measuredAt when these figures were measured; they are measured again every refresh
 *     interval and written only when they change, so a quiet backend's status stays still
 * @param last24h the last 24 hours
 * @param last7d the last 7 days
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpillOver(
    @JsonPropertyDescription(
            "When these figures were measured (RFC 3339). They are measured again every refresh"
                + " interval and written only when they change.")
        String measuredAt,
    @JsonPropertyDescription("Spill-over in the last 24 hours.") SpillOverFigures last24h,
    @JsonPropertyDescription(
            "Spill-over in the last 7 days (what Prometheus keeps of them, 15 days by default).")
        SpillOverFigures last7d) {}
