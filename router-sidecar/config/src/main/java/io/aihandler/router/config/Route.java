package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A named kind of work and the backends that serve it (RoutingPolicy {@code spec.routes[]}).
 *
 * @param name route name
 * @param targets backends that may serve the route
 * @param strategy how targets are ordered; default failover
 * @param fallbackOn failures that move a request to the next target; default all
 * @param maxAttempts most attempts per request across retries, repairs and fallbacks; default 3
 * @param backoff wait between retries of the same target
 * @param perTryTimeout timeout of one attempt; default 60s
 * @param timeout timeout of the whole request; default 120s
 * @param firstTokenTimeout streaming: longest wait for the first token of an attempt; default
 *     perTryTimeout
 * @param streamIdleTimeout streaming: longest silence between two upstream events; default 30s
 * @param circuitBreaker circuit breaking per backend
 * @param spillOver while an in-cluster target has no ready replica, send each request at once to
 *     the next target its data classes allow; default true. Requests no other target may take
 *     (restricted data) are held for the cold backend either way
 * @param coldStartTimeout longest a request is held for a target with no ready replica; default
 *     10m, sized for a model load
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Route(
    String name,
    List<RouteTarget> targets,
    RoutingStrategy strategy,
    List<FallbackTrigger> fallbackOn,
    Integer maxAttempts,
    Backoff backoff,
    String perTryTimeout,
    String timeout,
    String firstTokenTimeout,
    String streamIdleTimeout,
    CircuitBreakerSettings circuitBreaker,
    Boolean spillOver,
    String coldStartTimeout) {

  public Route {
    targets = targets == null ? List.of() : List.copyOf(targets);
    strategy = strategy == null ? RoutingStrategy.FAILOVER : strategy;
    fallbackOn = fallbackOn == null ? List.of(FallbackTrigger.values()) : List.copyOf(fallbackOn);
    maxAttempts = maxAttempts == null ? 3 : maxAttempts;
    backoff = backoff == null ? new Backoff(null, null) : backoff;
    perTryTimeout = perTryTimeout == null ? "60s" : perTryTimeout;
    timeout = timeout == null ? "120s" : timeout;
    firstTokenTimeout = firstTokenTimeout == null ? perTryTimeout : firstTokenTimeout;
    streamIdleTimeout = streamIdleTimeout == null ? "30s" : streamIdleTimeout;
    circuitBreaker = circuitBreaker == null ? CircuitBreakerSettings.DEFAULTS : circuitBreaker;
    spillOver = spillOver == null || spillOver;
    coldStartTimeout = coldStartTimeout == null ? "10m" : coldStartTimeout;
  }

  public Duration coldStartTimeoutDuration() {
    return Durations.parse(coldStartTimeout);
  }

  /** {@link #fallbackOn()} as a set. */
  public Set<FallbackTrigger> fallbackTriggers() {
    return fallbackOn.isEmpty()
        ? EnumSet.noneOf(FallbackTrigger.class)
        : EnumSet.copyOf(fallbackOn);
  }

  public Duration perTryTimeoutDuration() {
    return Durations.parse(perTryTimeout);
  }

  public Duration timeoutDuration() {
    return Durations.parse(timeout);
  }

  public Duration firstTokenTimeoutDuration() {
    return Durations.parse(firstTokenTimeout);
  }

  public Duration streamIdleTimeoutDuration() {
    return Durations.parse(streamIdleTimeout);
  }
}
