package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Desired state of a RoutingPolicy: routes over backends, and the data classes they enforce. */
@JsonClassDescription(
    "Desired state of the policy: routes over ModelBackends and the data classes they enforce.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.routes.all(r, self.routes.exists_one(o, o.name == r.name))",
    message = "route names must be unique within a RoutingPolicy")
@ValidationRule(
    value =
        "!has(self.dataClasses) || self.dataClasses.all(c, self.dataClasses.exists_one(o, o.name == c.name))",
    message = "data class names must be unique within a RoutingPolicy")
@ValidationRule(
    value =
        "!has(self.defaultDataClass) || (has(self.dataClasses) &&"
            + " self.dataClasses.exists(c, c.name == self.defaultDataClass))",
    message = "defaultDataClass must name one of dataClasses")
@ValidationRule(
    value =
        "!has(self.unscannableDataClass) || (has(self.dataClasses) &&"
            + " self.dataClasses.exists(c, c.name == self.unscannableDataClass))",
    message = "unscannableDataClass must name one of dataClasses")
public record RoutingPolicySpec(
    @JsonPropertyDescription("Routes: named kinds of work and the backends that serve them.")
        @Required
        @Size(min = 1, max = 64)
        List<Route> routes,
    @JsonPropertyDescription(
            "Data classes and the backend localities they may reach, enforced fail-closed on every"
                + " attempt, retry, repair and fallback.")
        @Size(max = 16)
        List<DataClass> dataClasses,
    @JsonPropertyDescription(
            "Class of requests whose task names none. A request header adds classes to it, never"
                + " replaces it. Default: none, i.e. unrestricted unless a detector fires.")
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String defaultDataClass,
    @JsonPropertyDescription(
            "Class of requests carrying content the detectors cannot read: image, audio and file"
                + " parts, data URLs. Default: the class with detectors that allows the fewest"
                + " localities (none when no class has detectors). Name a class that allows"
                + " external backends to let such requests leave the cluster.")
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String unscannableDataClass) {}
