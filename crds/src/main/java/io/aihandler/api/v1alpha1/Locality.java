package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a backend runs, which decides the data classes it may receive. */
public enum Locality {
  /** Inside the cluster (or a private network the platform team trusts like the cluster). */
  @JsonProperty("in-cluster")
  IN_CLUSTER,
  /** Outside: prompts leave the organisation's infrastructure. */
  @JsonProperty("external")
  EXTERNAL
}
