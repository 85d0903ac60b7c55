package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference to a RoutingPolicy in the Workflow's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyRef(
    @JsonPropertyDescription("Name of the RoutingPolicy, in the Workflow's namespace.")
        @Required
        @Size(max = 253)
        @Pattern(ApiPatterns.DNS_SUBDOMAIN)
        String name) {}
