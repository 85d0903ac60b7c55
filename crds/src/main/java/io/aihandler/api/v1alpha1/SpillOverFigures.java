package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Spill-over from one vLLM backend over one window, summed over every router sidecar whose routes
 * name it.
 *
 * @param requests requests sent to a later target because the backend had no ready replica
 * @param costUsd what those requests cost at the targets' pricing, in USD to the cent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpillOverFigures(
    @JsonPropertyDescription(
            "Requests sent at once to a later target of the route because this backend had no"
                + " ready replica (aihandler_spillovers_total).")
        Long requests,
    @JsonPropertyDescription(
            "What those requests cost at the targets' pricing, in USD to the cent: hosted tokens"
                + " spent because in-cluster capacity was missing"
                + " (aihandler_spillover_cost_usd_total).")
        Double costUsd) {}
