package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret in the referring object's own namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeyRef(
    @JsonPropertyDescription("Name of the Secret, in the same namespace as this resource.")
        @Required
        @Size(max = 253)
        @Pattern(ApiPatterns.DNS_SUBDOMAIN)
        String name,
    @JsonPropertyDescription("Key inside the Secret's data whose value is used.")
        @Required
        @Size(max = 253)
        @Pattern(ApiPatterns.SECRET_KEY)
        String key) {}
