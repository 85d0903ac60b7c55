package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Observed state of a Workflow. Conditions: ResolvedRefs (policy, routes, data classes and backends
 * exist and may be used), CredentialsProvisioned (hosted keys copied here) and Ready, written by
 * the Workflow reconciler; AdviceAvailable, {@code tasks} and {@code advice}, written by the
 * advisor. Each writer applies only its own fields, so neither overwrites the other's.
 */
@JsonClassDescription(
    "Observed state, written by the operator: the router configuration's ConfigMap and hash, the conditions ResolvedRefs, CredentialsProvisioned, Ready and AdviceAvailable, and the per-task advice.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkflowStatus extends ConditionedStatus {

  @JsonPropertyDescription("Name of the ConfigMap holding the router configuration.")
  private String configMapName;

  @JsonPropertyDescription(
      "Hash of the router configuration sidecars should run; each sidecar reports the hash it"
          + " runs on /readyz.")
  private String configHash;

  @JsonPropertyDescription(
      "The advice per task, from the metrics the sidecars report: the five answers with their"
          + " evidence, the verdict (open, closed or mixed), the best candidate and the figures."
          + " Advice only: the operator never changes a route.")
  private List<TaskAdvice> tasks;

  @JsonPropertyDescription(
      "The verdicts in one line, task=verdict, e.g. classify-ticket=closed summarize-thread=mixed.")
  private String advice;

  public String getConfigMapName() {
    return configMapName;
  }

  public void setConfigMapName(String configMapName) {
    this.configMapName = configMapName;
  }

  public String getConfigHash() {
    return configHash;
  }

  public void setConfigHash(String configHash) {
    this.configHash = configHash;
  }

  public List<TaskAdvice> getTasks() {
    return tasks;
  }

  public void setTasks(List<TaskAdvice> tasks) {
    this.tasks = tasks;
  }

  public String getAdvice() {
    return advice;
  }

  public void setAdvice(String advice) {
    this.advice = advice;
  }
}
