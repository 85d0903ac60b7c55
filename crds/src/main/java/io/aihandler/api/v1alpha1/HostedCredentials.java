package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where the API key of a hosted backend is kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostedCredentials(
    @JsonPropertyDescription(
            "Secret key holding the API key, in the ModelBackend's namespace. The operator copies"
                + " it into the namespaces of Workflows that use this backend and shareWith"
                + " admits; the value never appears in any spec, status, event or log.")
        @Required
        SecretKeyRef secretRef) {}
