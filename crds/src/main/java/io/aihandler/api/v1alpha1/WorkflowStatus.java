package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Observed state of a Workflow. Conditions: ResolvedRefs (policy, routes, data classes and backends
 * exist and may be used), CredentialsProvisioned (hosted keys copied here) and Ready.
 */
@JsonClassDescription(
    "Observed state, written by the operator: the router configuration's ConfigMap and hash, and the conditions ResolvedRefs, CredentialsProvisioned and Ready.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkflowStatus extends ConditionedStatus {

  @JsonPropertyDescription("Name of the ConfigMap holding the router configuration.")
  private String configMapName;

  @JsonPropertyDescription(
      "Hash of the router configuration sidecars should run; each sidecar reports the hash it"
          + " runs on /readyz.")
  private String configHash;

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
}
