package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * The shape the CRD gives a task's output JSON Schema ({@link TaskOutput#schema()}): the keywords
 * at its top level that the API server can check at apply, with every other keyword kept as
 * written. Content the schema preserves unknown is invisible to CEL, so nested references and
 * whether the schema compiles stay the validating webhook's (see {@code WorkflowSpecChecks}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputSchemaKeywords(
    @JsonProperty("$schema")
        @JsonPropertyDescription(
            "The dialect; only JSON Schema draft 2020-12"
                + " (https://json-schema.org/draft/2020-12/schema) is supported.")
        @Size(max = 256)
        @Pattern("^https://json-schema\\.org/draft/2020-12/schema")
        String dialect,
    @JsonProperty("$ref")
        @JsonPropertyDescription(
            "A reference within this schema (#/$defs/...): the router validates offline, so"
                + " remote documents are refused.")
        @Size(max = 2048)
        @Pattern("^#")
        String ref,
    @JsonProperty("$dynamicRef")
        @JsonPropertyDescription(
            "A dynamic reference within this schema (#...); remote ones are refused.")
        @Size(max = 2048)
        @Pattern("^#")
        String dynamicRef) {}
