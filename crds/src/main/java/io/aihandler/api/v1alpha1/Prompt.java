package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** A task's prompt. Templates use {@code {{variable}}} placeholders for the task's variables. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Prompt(
    @JsonPropertyDescription("System prompt template.") @Size(max = 65536) String system,
    @JsonPropertyDescription("User message template, e.g. 'Classify this ticket: {{ticket}}'.")
        @Size(max = 65536)
        String user) {}
