package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The structured output a task must return. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskOutput(
    @JsonPropertyDescription(
            "JSON Schema (draft 2020-12) the output must match. Backends are asked for it natively"
                + " where they can, and every output is validated against it.")
        @Required
        @PreserveUnknownFields
        @SchemaFrom(type = OutputSchemaKeywords.class)
        JsonNode schema,
    @JsonPropertyDescription(
            "Re-asks of the same backend, quoting the validation errors, before moving on to the"
                + " next target.")
        @Default("1")
        @Min(0)
        @Max(5)
        Integer maxRepairAttempts) {}
