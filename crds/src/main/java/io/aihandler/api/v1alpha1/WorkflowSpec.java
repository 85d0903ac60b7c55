package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Desired state of a Workflow: an application's LLM tasks under one RoutingPolicy. Pods labelled
 * {@code aihandler.io/workflow: <name>} get the router sidecar.
 */
@JsonClassDescription(
    "Desired state of the workflow: its RoutingPolicy, its tasks and the sidecar settings.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.tasks.all(t, self.tasks.exists_one(o, o.name == t.name))",
    message = "task names must be unique within a Workflow")
public record WorkflowSpec(
    @JsonPropertyDescription("The RoutingPolicy whose routes the tasks use.") @Required
        PolicyRef policyRef,
    @JsonPropertyDescription("The application's LLM tasks.") @Required @Size(min = 1, max = 128)
        List<Task> tasks,
    @JsonPropertyDescription("Settings of the injected router sidecar.") SidecarSpec sidecar,
    @JsonPropertyDescription(
            "What the Workflow's pods (the app included) may reach. restricted: the operator keeps"
                + " a NetworkPolicy allowing egress only to DNS and the pods of the in-cluster"
                + " backends the routes name, so nothing in the pods can reach a hosted API; needs"
                + " a CNI that enforces NetworkPolicy. unrestricted (default): no policy is added.")
        Egress egress) {

  /** A Workflow without an egress setting (unrestricted). */
  public WorkflowSpec(PolicyRef policyRef, List<Task> tasks, SidecarSpec sidecar) {
    this(policyRef, tasks, sidecar, null);
  }
}
