package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One of the five questions of the advice, answered from what the cluster observed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AdviceAnswer(
    @JsonPropertyDescription(
            "The question: dataResidency (can the data leave the infrastructure), volume (monthly"
                + " tokens), structuredOutput (does the task need deterministic structured output"
                + " on a complex schema), engineeringCost (self-hosting's engineering cost against"
                + " the cost difference) or promptChanges (how often the prompt logic changes).")
        String question,
    @JsonPropertyDescription("Which side the answer scores toward: open, closed or neutral.")
        AdviceLean leans,
    @JsonPropertyDescription("The answer in a few words, e.g. 'no: data class restricted'.")
        String answer,
    @JsonPropertyDescription(
            "What the answer rests on: the observed figures, settings and arithmetic.")
        String evidence) {}
