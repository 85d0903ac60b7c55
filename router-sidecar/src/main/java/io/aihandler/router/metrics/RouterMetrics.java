package io.aihandler.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The sidecar's Prometheus metrics, all named {@code aihandler_*}. Labels carry names from the
 * config (routes, backends, tasks, data classes) and fixed vocabularies, never request content or
 * keys.
 */
public final class RouterMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Object> circuitGauges = new ConcurrentHashMap<>();

  /** One finished API request. */
  public void request(
      String endpoint, String route, String backend, String outcome, Duration latency) {
    Counter.builder("aihandler.requests")
        .description("API requests by route, backend and outcome")
        .tags("endpoint", endpoint, "route", route, "backend", backend, "outcome", outcome)
        .register(registry)
        .increment();
    Timer.builder("aihandler.request.duration")
        .description("Time from request to last byte, all attempts included")
        .tags("endpoint", endpoint, "route", route, "outcome", outcome)
        .register(registry)
        .record(latency);
  }

  /** One upstream call, whatever its result. */
  public void upstream(String backend, String outcome, Duration latency) {
    Timer.builder("aihandler.upstream.duration")
        .description("Time of one upstream call (to the last byte)")
        .tags("backend", backend, "outcome", outcome)
        .register(registry)
        .record(latency);
  }

  /** The sidecar's own share of a request's time: total minus time spent waiting upstream. */
  public void overhead(String endpoint, Duration overhead) {
    Timer.builder("aihandler.overhead.duration")
        .description("Request time not spent waiting on upstreams or backoff")
        .tags("endpoint", endpoint)
        .register(registry)
        .record(overhead.isNegative() ? Duration.ZERO : overhead);
  }

  /** Tokens and cost of one upstream call. */
  public void usage(String backend, long inputTokens, long outputTokens, double costUsd) {
    Counter.builder("aihandler.tokens")
        .description("Tokens by backend and direction")
        .tags("backend", backend, "direction", "input")
        .register(registry)
        .increment(inputTokens);
    Counter.builder("aihandler.tokens")
        .tags("backend", backend, "direction", "output")
        .register(registry)
        .increment(outputTokens);
    Counter.builder("aihandler.cost.usd")
        .description("Cost in USD from the backends' pricing")
        .tags("backend", backend)
        .register(registry)
        .increment(costUsd);
  }

  /** A request moved on from one target to the next. */
  public void fallback(String route, String fromBackend, String reason) {
    Counter.builder("aihandler.fallbacks")
        .description("Moves to the next target, by reason")
        .tags("route", route, "backend", fromBackend, "reason", reason)
        .register(registry)
        .increment();
  }

  /** A retry of the same target. */
  public void retry(String backend, String reason) {
    Counter.builder("aihandler.retries")
        .description("Retries of the same backend, by reason")
        .tags("backend", backend, "reason", reason)
        .register(registry)
        .increment();
  }

  /** Output that failed schema validation. */
  public void validationFailure(String task, String backend) {
    Counter.builder("aihandler.validation.failures")
        .description("Outputs that failed schema validation")
        .tags("task", task, "backend", backend)
        .register(registry)
        .increment();
  }

  /** A repair re-ask. */
  public void repairAttempt(String task, String backend) {
    Counter.builder("aihandler.repair.attempts")
        .description("Re-asks quoting validation errors")
        .tags("task", task, "backend", backend)
        .register(registry)
        .increment();
  }

  /** A target skipped, or a request refused, because of its data class. */
  public void dataPolicyBlock(String dataClass, String backend) {
    Counter.builder("aihandler.data.policy.blocks")
        .description("Backends withheld from a request by its data class")
        .tags("data_class", dataClass, "backend", backend)
        .register(registry)
        .increment();
  }

  /** A config or credential reload. */
  public void reload(String what, boolean success) {
    Counter.builder("aihandler.config.reloads")
        .description("Reloads of the config and credential files, by outcome")
        .tags("file", what, "outcome", success ? "success" : "failure")
        .register(registry)
        .increment();
  }

  /**
   * Registers the circuit state gauge of a backend (0 closed, 1 open, 2 half-open, 3 other) once.
   */
  public <T> void circuitState(String backend, T holder, ToDoubleFunction<T> state) {
    circuitGauges.computeIfAbsent(
        backend,
        b -> {
          Gauge.builder("aihandler.circuit.state", holder, state)
              .description("Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 forced")
              .tags("backend", b)
              .register(registry);
          return holder;
        });
  }

  /** Writes the Prometheus text exposition. */
  public void scrape(OutputStream out) throws IOException {
    registry.scrape(out);
  }

  /** The exposition as text (tests, debugging). */
  public String scrape() {
    return registry.scrape();
  }
}
