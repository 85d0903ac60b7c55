package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * The advice for one task: the five answers with their evidence, the verdict, the best candidate,
 * the figures per backend and the prompt-change record. Written by the operator's advisor; the
 * operator never changes a route itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskAdvice(
    @JsonPropertyDescription("The task's name.") String name,
    @JsonPropertyDescription(
            "open (self-hosted), closed (hosted) or mixed (stay on the hosted model behind the"
                + " abstraction, keep evaluating). Absent when there is nothing to advise on yet.")
        AdviceVerdict verdict,
    @JsonPropertyDescription("The verdict and its reason in one line.") String summary,
    @JsonPropertyDescription("The backend that served the clients' answers most in the window.")
        String currentBackend,
    @JsonPropertyDescription("The backend the evidence favours over the current one, if any.")
        AdviceCandidate bestCandidate,
    @JsonPropertyDescription("The five answers, each with its evidence.")
        List<AdviceAnswer> answers,
    @JsonPropertyDescription("Figures per backend observed or allowed for the task.")
        List<BackendFigures> backends,
    @JsonPropertyDescription("Tokens per month at the observed rate (input and output).")
        Double tokensPerMonth,
    @JsonPropertyDescription("Requests per month at the observed rate.") Double requestsPerMonth,
    @JsonPropertyDescription("Cost per month on the current backend, in USD.") Double costPerMonth,
    @JsonPropertyDescription(
            "How much of the configured window held data, e.g. 2h30m of 7d; monthly figures are"
                + " extrapolated from it.")
        String observedFor,
    @JsonPropertyDescription("How often the task's prompt logic changed.")
        PromptHistory promptHistory,
    @JsonPropertyDescription("Why no advice could be computed for this task, if none could.")
        String problem,
    @JsonPropertyDescription(
            "When the advice was computed (RFC 3339). It is recomputed every refresh interval; a"
                + " result that came out the same is not written again, so this is when it last"
                + " changed.")
        String computedAt) {}
