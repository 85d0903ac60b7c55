package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An application's LLM tasks: each task's route, data class, prompt template and output schema.
 * Pods labelled {@code aihandler.io/workflow: <name>} get the router sidecar injected.
 *
 * <p>The short name is {@code aiwf}, not {@code wf}: Argo Workflows owns {@code wf} and the plural
 * {@code workflows}, so with both installed {@code kubectl get workflows.aihandler.io} (or {@code
 * aiwf}) names this kind unambiguously.
 */
@JsonClassDescription(
    "An application's LLM tasks (route, data class, prompt template, output JSON Schema). Pods labelled aihandler.io/workflow: <name> get the router sidecar injected.")
@Group(ModelBackend.GROUP)
@Version(ModelBackend.VERSION)
@Plural("workflows")
@ShortNames("aiwf")
@Categories("aihandler")
@AdditionalPrinterColumn(
    name = "Policy",
    jsonPath = ".spec.policyRef.name",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "The RoutingPolicy the tasks use")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Whether the router configuration is complete and credentials are in place")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Why the workflow is or is not ready")
@AdditionalPrinterColumn(
    name = "Advice",
    jsonPath = ".status.advice",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Each task's verdict: open, closed or mixed")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Config",
    jsonPath = ".status.configHash",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    getDescription = "Hash of the router configuration sidecars should run")
@AdditionalPrinterColumn(
    name = "Message",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1,
    getDescription = "Details of the Ready condition")
public class Workflow extends CustomResource<WorkflowSpec, WorkflowStatus> implements Namespaced {

  /** The pod label that opts a pod in to sidecar injection; its value names the Workflow. */
  public static final String WORKFLOW_LABEL = "aihandler.io/workflow";
}
