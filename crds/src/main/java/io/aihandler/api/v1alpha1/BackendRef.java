package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference to a ModelBackend. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendRef(
    @JsonPropertyDescription("Name of the ModelBackend.")
        @Required
        @Size(max = 253)
        @Pattern(ApiPatterns.DNS_SUBDOMAIN)
        String name,
    @JsonPropertyDescription(
            "Namespace of the ModelBackend. Default: the RoutingPolicy's. A backend in another"
                + " namespace must admit this one in its shareWith.")
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String namespace) {}
