package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the pods of a Workflow may reach on the network. */
public enum Egress {
  /**
   * Only DNS and the in-cluster (vLLM) backends the routes name: the operator keeps a NetworkPolicy
   * for the Workflow's pods, so no process in them can reach a hosted API.
   */
  @JsonProperty("restricted")
  RESTRICTED,
  /** Whatever the namespace's own NetworkPolicies allow; the operator adds none. */
  @JsonProperty("unrestricted")
  UNRESTRICTED
}
