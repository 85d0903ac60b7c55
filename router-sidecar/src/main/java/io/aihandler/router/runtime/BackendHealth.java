package io.aihandler.router.runtime;

import io.aihandler.router.config.CircuitBreakerSettings;
import io.aihandler.router.metrics.RouterMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The circuit breakers and latency averages of all backends. Lives across config reloads, so a
 * reload neither closes an open circuit nor forgets what was learnt; a breaker is rebuilt only when
 * its settings change.
 */
public final class BackendHealth {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.circuit");
  private static final double LATENCY_WEIGHT = 0.2;

  private record Entry(CircuitBreakerSettings settings, CircuitBreaker breaker) {}

  private final Map<String, Entry> breakers = new ConcurrentHashMap<>();
  private final Map<String, Double> latencyMillis = new ConcurrentHashMap<>();
  private final RouterMetrics metrics;

  public BackendHealth(RouterMetrics metrics) {
    this.metrics = metrics;
  }

  /** The breaker of a backend with these settings (the existing one when they are unchanged). */
  public CircuitBreaker breaker(String backend, CircuitBreakerSettings settings) {
    Entry e =
        breakers.compute(
            backend,
            (name, old) ->
                old != null && old.settings().equals(settings) ? old : create(name, settings));
    metrics.circuitState(backend, this, h -> h.stateCode(backend));
    return e.breaker();
  }

  private static Entry create(String name, CircuitBreakerSettings s) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(s.windowSize())
            .minimumNumberOfCalls(s.minimumCalls())
            .failureRateThreshold(s.failureRateThreshold())
            .waitDurationInOpenState(s.openDurationValue())
            .permittedNumberOfCallsInHalfOpenState(1)
            .build();
    CircuitBreaker breaker = CircuitBreaker.of(name, config);
    breaker
        .getEventPublisher()
        .onStateTransition(
            ev ->
                LOG.log(
                    Level.WARNING,
                    "circuit of backend {0}: {1}",
                    name,
                    ev.getStateTransition().toString()));
    return new Entry(s, breaker);
  }

  /** The breaker's state as a number: 0 closed, 1 open, 2 half-open, 3 forced or disabled. */
  double stateCode(String backend) {
    Entry e = breakers.get(backend);
    if (e == null) {
      return 0;
    }
    return switch (e.breaker().getState()) {
      case CLOSED -> 0;
      case OPEN -> 1;
      case HALF_OPEN -> 2;
      default -> 3;
    };
  }

  /** The state name of a backend's breaker, for {@code /readyz}. */
  public String state(String backend) {
    Entry e = breakers.get(backend);
    return e == null ? "CLOSED" : e.breaker().getState().name();
  }

  /** Records a latency sample in the backend's moving average. */
  public void recordLatency(String backend, long millis) {
    latencyMillis.merge(backend, (double) millis, (old, now) -> old + LATENCY_WEIGHT * (now - old));
  }

  /** The moving average latency, or 0 when nothing was measured yet (so new backends get tried). */
  public double latency(String backend) {
    return latencyMillis.getOrDefault(backend, 0d);
  }
}
