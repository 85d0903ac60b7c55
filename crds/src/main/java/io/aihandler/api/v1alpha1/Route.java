package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A named kind of work and the backends that may serve it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.strategy != 'weighted' || self.targets.exists(t, t.weight > 0)",
    messageExpression =
        "'route ' + self.name + ' uses strategy weighted, so at least one target needs weight > 0'")
@ValidationRule(
    value =
        "self.targets.all(t, self.targets.exists_one(o, o.backend.name == t.backend.name &&"
            + " (has(o.backend.__namespace__) ? o.backend.__namespace__ : '') =="
            + " (has(t.backend.__namespace__) ? t.backend.__namespace__ : '')))",
    messageExpression = "'route ' + self.name + ' lists the same backend more than once'")
@ValidationRule(
    value =
        "!has(self.timeout) || !has(self.perTryTimeout) ||"
            + " duration(self.perTryTimeout) <= duration(self.timeout)",
    messageExpression = "'route ' + self.name + ': perTryTimeout must not exceed timeout'")
@ValidationRule(
    value =
        "(!has(self.timeout) || duration(self.timeout) <= duration('1h'))"
            + " && (!has(self.perTryTimeout) || duration(self.perTryTimeout) <= duration('1h'))",
    messageExpression = "'route ' + self.name + ': timeout and perTryTimeout must be at most 1h'")
@ValidationRule(
    value =
        "!has(self.coldStartTimeout) || (duration(self.coldStartTimeout) > duration('0s')"
            + " && duration(self.coldStartTimeout) <= duration('1h'))",
    messageExpression =
        "'route ' + self.name + ': coldStartTimeout must be above 0 and at most 1h'")
public record Route(
    @JsonPropertyDescription("Name of the route; tasks and requests name it. A DNS label.")
        @Required
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String name,
    @JsonPropertyDescription("Backends that may serve the route; at least one.")
        @Required
        @Size(min = 1, max = 16)
        List<RouteTarget> targets,
    @JsonPropertyDescription(
            "How targets are ordered: failover (by priority), weighted (by weight), least-latency"
                + " (moving average) or lowest-cost (by pricing).")
        @Default("failover")
        RoutingStrategy strategy,
    @JsonPropertyDescription(
            "Failures that move a request to the next target: serverError, rateLimited, timeout,"
                + " invalidOutput, unavailable. Default: all of them. A client error (4xx other"
                + " than 429) never falls back.")
        @Size(max = 5)
        List<FallbackTrigger> fallbackOn,
    @JsonPropertyDescription("Most attempts per request across retries and fallbacks.")
        @Default("3")
        @Min(1)
        @Max(10)
        Integer maxAttempts,
    @JsonPropertyDescription("Backoff between retries of the same target.") Backoff backoff,
    @JsonPropertyDescription("Timeout of one attempt, e.g. 30s.") @Pattern(ApiPatterns.DURATION)
        String perTryTimeout,
    @JsonPropertyDescription("Timeout of the whole request, all attempts included, e.g. 2m.")
        @Pattern(ApiPatterns.DURATION)
        String timeout,
    @JsonPropertyDescription("Circuit breaking per backend of this route.")
        CircuitBreaker circuitBreaker,
    @JsonPropertyDescription(
            "While an in-cluster target has no ready replica (scaled to zero, loading, lost its"
                + " node), send each request at once to the next target its data class allows"
                + " (e.g. a hosted model) instead of holding it. Requests no other target may"
                + " take (restricted data) are held for the cold backend either way. Default"
                + " true.")
        @Default("true")
        Boolean spillOver,
    @JsonPropertyDescription(
            "Longest a request is held for an in-cluster target with no ready replica before it"
                + " fails with 503 naming the backend and its state, e.g. 10m (the default,"
                + " sized for a model load). At most 1h.")
        @Pattern(ApiPatterns.DURATION)
        String coldStartTimeout) {}
