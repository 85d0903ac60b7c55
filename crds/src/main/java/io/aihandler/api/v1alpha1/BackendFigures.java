package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What one backend did, or would cost, for one task over the observed window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendFigures(
    @JsonPropertyDescription("The backend, as the router configuration names it.") String backend,
    @JsonPropertyDescription(
            "How it relates to the task: current (served the clients' answers), candidate"
                + " (evaluated in shadow) or allowed (on the route or evaluated, not yet"
                + " observed).")
        String role,
    @JsonPropertyDescription("in-cluster or external.") String locality,
    @JsonPropertyDescription("Judged answers per month, extrapolated from the window.")
        Double requestsPerMonth,
    @JsonPropertyDescription("Share of answers valid on the first try, 0 to 1.")
        Double validFirstTry,
    @JsonPropertyDescription("Share of answers valid only after a repair, 0 to 1.")
        Double validAfterRepair,
    @JsonPropertyDescription("Share of answers still invalid after the repair policy, 0 to 1.")
        Double invalid,
    @JsonPropertyDescription("Share of calls with no answer (upstream error, timeout), 0 to 1.")
        Double failed,
    @JsonPropertyDescription(
            "Shadow only: share of answers equal, as JSON, to the primary's validated answer.")
        Double exactAgreement,
    @JsonPropertyDescription(
            "Shadow only: share of the schema's enum, boolean and number fields that agree with"
                + " the primary's answer.")
        Double fieldAgreement,
    @JsonPropertyDescription("Median latency of a judged call, repairs included, in seconds.")
        Double p50Seconds,
    @JsonPropertyDescription("95th percentile latency of a judged call, in seconds.")
        Double p95Seconds,
    @JsonPropertyDescription(
            "Cost per month of the task's whole observed load on it, in USD: metered for the"
                + " current hosted backend, projected for the others.")
        Double costPerMonth,
    @JsonPropertyDescription("How costPerMonth was computed, with the figures.") String costBasis,
    @JsonPropertyDescription(
            "Shadow only: requests not mirrored to it in the window, by reason (data_class, busy,"
                + " cost_cap, limits, circuit_open, primary_failed), e.g. 'busy=3 data_class=2'.")
        String shadowSkipped) {}
