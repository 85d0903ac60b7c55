package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One backend of a route.
 *
 * @param backend name of a backend of the document
 * @param weight share of traffic under the weighted strategy; 0 serves only as a fallback; default
 *     1
 * @param priority order under failover and for fallbacks, lower first; default 0
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteTarget(String backend, Integer weight, Integer priority) {

  public RouteTarget {
    weight = weight == null ? 1 : weight;
    priority = priority == null ? 0 : priority;
  }
}
