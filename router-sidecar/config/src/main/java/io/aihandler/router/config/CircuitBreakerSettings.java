package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * Circuit breaking of a route's backends (RoutingPolicy {@code routes[].circuitBreaker}). A backend
 * named by several routes gets the settings of the first of them in the document.
 *
 * @param failureRateThreshold failure percentage over the window that opens the circuit; default 50
 * @param minimumCalls calls needed in the window before the rate is judged; default 10
 * @param windowSize number of most recent calls the rate is computed over; default 20
 * @param openDuration how long an open circuit stays open before trial calls; default 30s
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CircuitBreakerSettings(
    Integer failureRateThreshold, Integer minimumCalls, Integer windowSize, String openDuration) {

  /** The settings of a route without a {@code circuitBreaker} section. */
  public static final CircuitBreakerSettings DEFAULTS =
      new CircuitBreakerSettings(null, null, null, null);

  public CircuitBreakerSettings {
    failureRateThreshold = failureRateThreshold == null ? 50 : failureRateThreshold;
    minimumCalls = minimumCalls == null ? 10 : minimumCalls;
    windowSize = windowSize == null ? 20 : windowSize;
    openDuration = openDuration == null ? "30s" : openDuration;
  }

  public Duration openDurationValue() {
    return Durations.parse(openDuration);
  }
}
