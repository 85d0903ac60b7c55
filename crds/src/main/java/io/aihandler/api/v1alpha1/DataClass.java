package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * A named class of data and where it may go. A request carries every class that applies to it (its
 * task's, a request header's, each firing detector's) and may only reach localities that all of
 * them allow; with none left it is refused, never sent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataClass(
    @JsonPropertyDescription("Name of the class, e.g. restricted, internal, public.")
        @Required
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String name,
    @JsonPropertyDescription("Backend localities this class may reach: in-cluster, external.")
        @Required
        @Size(min = 1, max = 2)
        List<Locality> allowedLocalities,
    @JsonPropertyDescription("Detectors that put a request in this class when they match it.")
        @Size(max = 32)
        List<Detector> detectors) {}
