package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A variable the task's prompt templates may use. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskVariable(
    @JsonPropertyDescription("Name used in templates as {{name}}.")
        @Required
        @Size(max = 64)
        @Pattern(ApiPatterns.VARIABLE_NAME)
        String name,
    @JsonPropertyDescription("Whether a call must supply the variable.") @Default("true")
        Boolean required,
    @JsonPropertyDescription("What the variable holds, for the people who call the task.")
        @Size(max = 1024)
        String description) {}
