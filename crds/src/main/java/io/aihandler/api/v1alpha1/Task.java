package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One LLM task of an application: where it goes, what it may see, what it must return. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.variables) || self.variables.all(v, self.variables.exists_one(o, o.name == v.name))",
    messageExpression = "'task ' + self.name + ': variable names must be unique'")
@ValidationRule(
    value = "!has(self.variables) || has(self.prompt)",
    messageExpression = "'task ' + self.name + ' declares variables but has no prompt to use them'")
// A {{...}} placeholder (up to the next }} on its line, as the webhook reads them) needs declared
// variables. Whether each placeholder names one of them takes a scan of every template against
// every variable, which exceeds the CEL cost budget of a CRD with 128 tasks of 64 KiB prompts; the
// validating webhook checks that.
@ValidationRule(
    value =
        "has(self.variables) || !has(self.prompt) || ((!has(self.prompt.system) ||"
            + " !self.prompt.system.matches('\\\\{\\\\{.*}}')) && (!has(self.prompt.user) ||"
            + " !self.prompt.user.matches('\\\\{\\\\{.*}}')))",
    messageExpression =
        "'task ' + self.name + ': the prompt has {{...}} placeholders but the task declares no"
            + " variables: declare each one under variables'")
public record Task(
    @JsonPropertyDescription(
            "Name of the task; apps call POST /v1/tasks/<name> or set model: <name>. A DNS label.")
        @Required
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String name,
    @JsonPropertyDescription("Route of the Workflow's RoutingPolicy that serves the task.")
        @Required
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String route,
    @JsonPropertyDescription(
            "Data class of everything this task sends, one of the policy's dataClasses. Detectors"
                + " and a request header may add stricter classes, never looser ones.")
        @Size(max = 63)
        @Pattern(ApiPatterns.DNS_LABEL)
        String dataClass,
    @JsonPropertyDescription("Prompt templates. Without them the caller sends whole messages.")
        Prompt prompt,
    @JsonPropertyDescription("Variables the templates use, supplied by each call.") @Size(max = 64)
        List<TaskVariable> variables,
    @JsonPropertyDescription("Structured output: the JSON Schema answers must match.")
        TaskOutput output,
    @JsonPropertyDescription("Sampling parameters.") TaskParameters parameters,
    @JsonPropertyDescription(
            "Timeout of a whole call of this task, e.g. 30s. Default: the route's.")
        @Pattern(ApiPatterns.DURATION)
        String timeout,
    @JsonPropertyDescription(
            "Shadow evaluation: candidate backends that a sample of this task's requests is"
                + " mirrored to after the client has its answer, to compare validity, latency and"
                + " cost before switching.")
        TaskEvaluation evaluate) {}
