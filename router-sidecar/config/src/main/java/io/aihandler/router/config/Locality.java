package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a backend runs, which decides the data classes that may reach it. */
public enum Locality {
  @JsonProperty("in-cluster")
  IN_CLUSTER,
  @JsonProperty("external")
  EXTERNAL
}
