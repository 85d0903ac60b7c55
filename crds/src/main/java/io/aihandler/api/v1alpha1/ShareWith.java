package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * Namespaces, besides the backend's own, whose Workflows may use this backend and so receive a copy
 * of its key. A namespace is admitted when it is listed or matches the selector.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShareWith(
    @JsonPropertyDescription("Namespaces admitted by name.") @Size(max = 256)
        List<@Size(max = 63) String> namespaces,
    @JsonPropertyDescription(
            "Namespaces admitted by their labels, e.g. matchLabels {team: support}. An empty"
                + " selector ({}) admits every namespace.")
        LabelSelector namespaceSelector) {}
