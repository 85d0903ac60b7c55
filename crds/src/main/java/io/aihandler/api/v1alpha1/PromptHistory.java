package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A bounded record of how often a task's prompt logic changed: the hash last seen and a count,
 * updated each time the operator sees a new generation of the Workflow.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PromptHistory(
    @JsonPropertyDescription(
            "Hash of the task's prompt templates, variables, output schema and parameters last"
                + " seen.")
        String hash,
    @JsonPropertyDescription("Changes of that hash seen since observedSince.") Integer changes,
    @JsonPropertyDescription("When the operator first saw the task (RFC 3339).")
        String observedSince,
    @JsonPropertyDescription("When the operator last saw the hash change (RFC 3339).")
        String lastChange) {}
