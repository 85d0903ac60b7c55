package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Shadow evaluation of a task: a sample of its requests is sent again, after the client has its
 * answer, to candidate backends, whose answers are judged like real ones and compared with the
 * primary's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.candidates.all(c, self.candidates.exists_one(o, o.backend.name == c.backend.name &&"
            + " (has(o.backend.namespace) ? o.backend.namespace : '') == (has(c.backend.namespace)"
            + " ? c.backend.namespace : '')))",
    message = "each evaluation candidate may be named once")
public record TaskEvaluation(
    @JsonPropertyDescription(
            "Backends to evaluate the task on. Each must be allowed for the task's data class;"
                + " requests whose classes forbid a candidate are never mirrored to it.")
        @Required
        @Size(min = 1, max = 8)
        List<EvaluationCandidate> candidates,
    @JsonPropertyDescription(
            "Most US dollars this task's shadow calls may spend per UTC day, in each sidecar."
                + " Shadow calls stop for the day when it is reached. Default: no cap.")
        @Min(0)
        Double dailyCostCap) {}
