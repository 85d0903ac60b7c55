package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a route orders the targets a request may use. */
public enum RoutingStrategy {
  /** By priority; the next one only when the previous fails. */
  @JsonProperty("failover")
  FAILOVER,
  /** Spread by weight; the others as fallbacks. */
  @JsonProperty("weighted")
  WEIGHTED,
  /** The target with the lowest moving-average latency first. */
  @JsonProperty("least-latency")
  LEAST_LATENCY,
  /** The target with the lowest price per token first. */
  @JsonProperty("lowest-cost")
  LOWEST_COST
}
