package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a route orders its targets for one request. */
public enum RoutingStrategy {
  /** By priority, lowest first. */
  @JsonProperty("failover")
  FAILOVER,
  /** First target drawn at random by weight; the rest follow by priority. */
  @JsonProperty("weighted")
  WEIGHTED,
  /** By moving average of observed latency, fastest first. */
  @JsonProperty("least-latency")
  LEAST_LATENCY,
  /** By price per token, cheapest first. */
  @JsonProperty("lowest-cost")
  LOWEST_COST
}
