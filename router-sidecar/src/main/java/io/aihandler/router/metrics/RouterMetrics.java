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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The sidecar's Prometheus metrics, all named {@code aihandler_*}. Labels carry names from the
 * config (routes, backends, tasks, data classes) and fixed vocabularies, never request content or
 * keys.
 */
public final class RouterMetrics {

  /** The {@code aihandler_circuit_state} value of an open circuit. */
  public static final double CIRCUIT_OPEN = 1;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Object> circuitGauges = new ConcurrentHashMap<>();
  private final EvaluationMetrics evaluation = new EvaluationMetrics(registry);

  // Registering a meter builds and sorts its tags and looks it up in the registry, which cost more
  // than the request's own routing decisions; each meter is registered once and then found here
  // by its tag values. Labels are config names and fixed vocabularies, so the maps stay small.
  private final Map<Five, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Four, Timer> requestDurations = new ConcurrentHashMap<>();
  private final Map<Two, Timer> upstreamDurations = new ConcurrentHashMap<>();
  private final Map<String, Timer> overheads = new ConcurrentHashMap<>();
  private final Map<Three, StreamTimers> streamTimers = new ConcurrentHashMap<>();
  private final Map<Two, Usage> usages = new ConcurrentHashMap<>();
  private final Map<Four, Counter> fallbacks = new ConcurrentHashMap<>();
  private final Map<Three, Counter> skippedTargets = new ConcurrentHashMap<>();
  private final Map<Two, Counter> retries = new ConcurrentHashMap<>();
  private final Map<Two, Counter> validationFailures = new ConcurrentHashMap<>();
  private final Map<Four, Counter> validations = new ConcurrentHashMap<>();
  private final Map<Two, Counter> repairAttempts = new ConcurrentHashMap<>();
  private final Map<Two, Counter> dataPolicyBlocks = new ConcurrentHashMap<>();
  private final Map<Four, Counter> spillovers = new ConcurrentHashMap<>();
  private final Map<Three, Counter> spilloverCosts = new ConcurrentHashMap<>();
  private final Map<Two, Counter> holds = new ConcurrentHashMap<>();
  private final Map<Two, Counter> activations = new ConcurrentHashMap<>();
  private final Map<Two, Counter> readinessProbes = new ConcurrentHashMap<>();
  private final Map<String, Object> heldGauges = new ConcurrentHashMap<>();

  /**
   * The reload and unreadable counters of both watched files start at 0, so the first failure of a
   * sidecar is an increase Prometheus can see rather than a series that appears at 1.
   */
  public RouterMetrics() {
    for (String file : new String[] {"config", "credentials"}) {
      reloads(file, true);
      reloads(file, false);
      unreadable(file);
    }
  }

  private record Two(String a, String b) {}

  private record Three(String a, String b, String c) {}

  private record Four(String a, String b, String c, String d) {}

  private record Five(String a, String b, String c, String d, String e) {}

  private record Usage(Counter input, Counter output, Counter cost) {}

  /**
   * The timers of one stream's route, task and backend: looked up once per attempt, then recorded
   * into on every chunk without any further lookup or allocation.
   */
  public record StreamTimers(Timer firstToken, Timer betweenTokens) {

    /** From the attempt's start to its first content chunk reaching the client. */
    public void firstToken(long nanos) {
      firstToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One gap between two consecutive content chunks of a stream. */
    public void betweenTokens(long nanos) {
      betweenTokens.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * One finished API request. {@code task} is the task's name or {@code none}; like the route and
   * backend it comes from the config, never from the request.
   */
  public void request(
      String endpoint,
      String route,
      String task,
      String backend,
      String outcome,
      Duration latency) {
    meter(
            requests,
            new Five(endpoint, route, task, backend, outcome),
            k ->
                Counter.builder("aihandler.requests")
                    .description("API requests by route, task, backend and outcome")
                    .tags(
                        "endpoint",
                        k.a(),
                        "route",
                        k.b(),
                        "task",
                        k.c(),
                        "backend",
                        k.d(),
                        "outcome",
                        k.e())
                    .register(registry))
        .increment();
    meter(
            requestDurations,
            new Four(endpoint, route, task, outcome),
            k ->
                histogram("aihandler.request.duration", LatencyBuckets.REQUEST)
                    .description("Time from request to last byte, all attempts included")
                    .tags("endpoint", k.a(), "route", k.b(), "task", k.c(), "outcome", k.d())
                    .register(registry))
        .record(latency);
  }

  /**
   * The upstream outcome of an HTTP error status: the statuses providers document by their own
   * name, any other by its class ({@code http_4xx}, {@code http_5xx}, {@code http_other}), so an
   * upstream cannot grow the series with invented statuses.
   */
  public static String httpOutcome(int status) {
    return switch (status) {
      case 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529 -> "http_" + status;
      default ->
          status >= 400 && status < 500
              ? "http_4xx"
              : status >= 500 && status < 600 ? "http_5xx" : "http_other";
    };
  }

  /** One upstream call, whatever its result. */
  public void upstream(String backend, String outcome, Duration latency) {
    meter(
            upstreamDurations,
            new Two(backend, outcome),
            k ->
                histogram("aihandler.upstream.duration", LatencyBuckets.UPSTREAM)
                    .description("Time of one upstream call (to the last byte)")
                    .tags("backend", k.a(), "outcome", k.b())
                    .register(registry))
        .record(latency);
  }

  /**
   * The first-token and between-token timers of a stream served by {@code backend} for a route and
   * task (or {@code none}). Streams only: a unary answer has no first token of its own.
   */
  public StreamTimers stream(String route, String task, String backend) {
    return meter(
        streamTimers,
        new Three(route, task, backend),
        k ->
            new StreamTimers(
                histogram("aihandler.time.to.first.token", LatencyBuckets.FIRST_TOKEN)
                    .description(
                        "Streams: from the attempt's start to its first content chunk reaching the"
                            + " client")
                    .tags("route", k.a(), "task", k.b(), "backend", k.c())
                    .register(registry),
                histogram("aihandler.time.between.tokens", LatencyBuckets.BETWEEN_TOKENS)
                    .description(
                        "Streams: each gap between two consecutive content chunks sent to the"
                            + " client")
                    .tags("route", k.a(), "task", k.b(), "backend", k.c())
                    .register(registry)));
  }

  /** The sidecar's own share of a request's time: total minus time spent waiting upstream. */
  public void overhead(String endpoint, Duration overhead) {
    meter(
            overheads,
            endpoint,
            e ->
                histogram("aihandler.overhead.duration", LatencyBuckets.OVERHEAD)
                    .description("Request time not spent waiting on upstreams or backoff")
                    .tags("endpoint", e)
                    .register(registry))
        .record(overhead.isNegative() ? Duration.ZERO : overhead);
  }

  /** Tokens and cost of one upstream call, for a task (or {@code none}). */
  public void usage(
      String backend, String task, long inputTokens, long outputTokens, double costUsd) {
    Usage u =
        meter(
            usages,
            new Two(backend, task),
            k ->
                new Usage(
                    Counter.builder("aihandler.tokens")
                        .description("Tokens by backend, task and direction")
                        .tags("backend", k.a(), "task", k.b(), "direction", "input")
                        .register(registry),
                    Counter.builder("aihandler.tokens")
                        .tags("backend", k.a(), "task", k.b(), "direction", "output")
                        .register(registry),
                    Counter.builder("aihandler.cost.usd")
                        .description("Cost in USD from the backends' pricing")
                        .tags("backend", k.a(), "task", k.b())
                        .register(registry)));
    u.input().increment(inputTokens);
    u.output().increment(outputTokens);
    u.cost().increment(costUsd);
  }

  /** A request (of a task, or {@code none}) moved on from one target to the next. */
  public void fallback(String route, String task, String fromBackend, String reason) {
    meter(
            fallbacks,
            new Four(route, task, fromBackend, reason),
            k ->
                Counter.builder("aihandler.fallbacks")
                    .description("Moves to the next target, by reason")
                    .tags("route", k.a(), "task", k.b(), "backend", k.c(), "reason", k.d())
                    .register(registry))
        .increment();
  }

  /**
   * A target a request could not use and was never sent to, e.g. {@code incompatibleVectors}: an
   * embeddings backend whose vectors differ from the first target's.
   */
  public void targetSkipped(String route, String backend, String reason) {
    meter(
            skippedTargets,
            new Three(route, backend, reason),
            k ->
                Counter.builder("aihandler.targets.skipped")
                    .description(
                        "Targets a request could not use, by reason; nothing was sent to them")
                    .tags("route", k.a(), "backend", k.b(), "reason", k.c())
                    .register(registry))
        .increment();
  }

  /** A retry of the same target. */
  public void retry(String backend, String reason) {
    counter(
            retries,
            "aihandler.retries",
            "Retries of the same backend, by reason",
            "backend",
            backend,
            "reason",
            reason)
        .increment();
  }

  /** Output that failed schema validation. */
  public void validationFailure(String task, String backend) {
    counter(
            validationFailures,
            "aihandler.validation.failures",
            "Outputs that failed schema validation",
            "task",
            task,
            "backend",
            backend)
        .increment();
  }

  /**
   * One answer judged against a task's schema. {@code attempt} is {@code first} for a target's own
   * answer and {@code repair} for its answer to a repair re-ask, so the share of valid {@code
   * first} answers is the first-try validity of a task on a backend.
   */
  public void validation(String task, String backend, String attempt, boolean valid) {
    meter(
            validations,
            new Four(task, backend, attempt, valid ? "valid" : "invalid"),
            k ->
                Counter.builder("aihandler.validations")
                    .description("Answers judged against a schema, by attempt and result")
                    .tags("task", k.a(), "backend", k.b(), "attempt", k.c(), "result", k.d())
                    .register(registry))
        .increment();
  }

  /** A repair re-ask. */
  public void repairAttempt(String task, String backend) {
    counter(
            repairAttempts,
            "aihandler.repair.attempts",
            "Re-asks quoting validation errors",
            "task",
            task,
            "backend",
            backend)
        .increment();
  }

  /** A target skipped, or a request refused, because of its data class. */
  public void dataPolicyBlock(String dataClass, String backend) {
    counter(
            dataPolicyBlocks,
            "aihandler.data.policy.blocks",
            "Backends withheld from a request by its data class",
            "data_class",
            dataClass,
            "backend",
            backend)
        .increment();
  }

  /** Judged task answers by role, shadow agreement and skips, task data classes. */
  public EvaluationMetrics evaluation() {
    return evaluation;
  }

  /**
   * A request sent at once to a later target because {@code from} had no ready replica ({@code
   * reason}: {@code scaled_to_zero} or {@code starting}).
   */
  public void spillover(String route, String from, String to, String reason) {
    meter(
            spillovers,
            new Four(route, from, to, reason),
            k ->
                Counter.builder("aihandler.spillovers")
                    .description(
                        "Requests sent to a later target because an in-cluster one had no ready"
                            + " replica")
                    .tags("route", k.a(), "from", k.b(), "to", k.c(), "reason", k.d())
                    .register(registry))
        .increment();
  }

  /** The metered cost of a spilled request, served by {@code to} instead of {@code from}. */
  public void spilloverCost(String route, String from, String to, double costUsd) {
    meter(
            spilloverCosts,
            new Three(route, from, to),
            k ->
                Counter.builder("aihandler.spillover.cost.usd")
                    .description(
                        "Cost in USD of requests served by a later target while an in-cluster one"
                            + " had no ready replica")
                    .tags("route", k.a(), "from", k.b(), "to", k.c())
                    .register(registry))
        .increment(costUsd);
  }

  /**
   * A hold for a backend with no ready replica ended ({@code outcome}: {@code served}, {@code
   * timeout}, {@code rejected_full}, {@code cancelled}).
   */
  public void hold(String backend, String outcome) {
    counter(
            holds,
            "aihandler.holds",
            "Requests held for a backend with no ready replica, by how the hold ended",
            "backend",
            backend,
            "outcome",
            outcome)
        .increment();
  }

  /** Registers the gauge of the requests held for a backend now, once per backend. */
  public <T> void heldRequests(String backend, T holder, ToDoubleFunction<T> held) {
    heldGauges.computeIfAbsent(
        backend,
        b -> {
          Gauge.builder("aihandler.held.requests", holder, held)
              .description("Requests held now for a backend with no ready replica")
              .tags("backend", b)
              .register(registry);
          return holder;
        });
  }

  /**
   * An activation call to the operator for a backend ({@code result}: {@code accepted}, {@code
   * ready}, {@code refused}, {@code rate_limited}, {@code timeout}, {@code error}).
   */
  public void activation(String backend, String result) {
    counter(
            activations,
            "aihandler.activations",
            "Calls asking the operator to bring a backend up, by result",
            "backend",
            backend,
            "result",
            result)
        .increment();
  }

  /**
   * A health probe of a backend with no ready replica ({@code result}: {@code ready}, {@code
   * not_ready}, {@code unreachable}, {@code timeout}, {@code too_large}).
   */
  public void readinessProbe(String backend, String result) {
    counter(
            readinessProbes,
            "aihandler.readiness.probes",
            "Health probes of backends with no ready replica, by result",
            "backend",
            backend,
            "result",
            result)
        .increment();
  }

  /** A config or credential reload: rare, so registered by name each time. */
  public void reload(String what, boolean success) {
    reloads(what, success).increment();
  }

  private Counter reloads(String what, boolean success) {
    return Counter.builder("aihandler.config.reloads")
        .description("Reloads of the config and credential files, by outcome")
        .tags("file", what, "outcome", success ? "success" : "failure")
        .register(registry);
  }

  /**
   * A check that found a watched file missing or unreadable ({@code file} is "config" or
   * "credentials"); the last good content stays in use. Counted on every check, so the rate shows
   * how long it lasted.
   */
  public void configUnreadable(String what) {
    unreadable(what).increment();
  }

  private Counter unreadable(String what) {
    return Counter.builder("aihandler.config.unreadable")
        .description("Checks that found a config or credential file missing or unreadable")
        .tags("file", what)
        .register(registry);
  }

  /** A background task (e.g. "config-reload") that failed and runs again on its next tick. */
  public void backgroundTaskFailure(String task) {
    Counter.builder("aihandler.background.task.failures")
        .description("Failures of background tasks, which keep running")
        .tags("task", task)
        .register(registry)
        .increment();
  }

  /**
   * Finished spans handed to the trace exporter: {@code exported}, {@code failed} (the collector
   * refused them or did not answer within the export timeout) or {@code dropped} (the export queue
   * was full). Called from the export thread, never per request.
   */
  public void traceSpans(String result, long spans) {
    Counter.builder("aihandler.trace.spans")
        .description("Finished spans by what became of them: exported, failed or dropped")
        .tags("result", result)
        .register(registry)
        .increment(spans);
  }

  /** The cached meter of a key, registered on first use. */
  private static <K, M> M meter(Map<K, M> cache, K key, Function<K, M> register) {
    M known = cache.get(key);
    return known != null ? known : cache.computeIfAbsent(key, register);
  }

  private Counter counter(
      Map<Two, Counter> cache,
      String name,
      String description,
      String firstTag,
      String first,
      String secondTag,
      String second) {
    Two key = new Two(first, second);
    Counter known = cache.get(key);
    if (known != null) {
      return known; // no capturing lambda on the common path
    }
    return cache.computeIfAbsent(
        key,
        k ->
            Counter.builder(name)
                .description(description)
                .tags(firstTag, k.a(), secondTag, k.b())
                .register(registry));
  }

  /**
   * Registers the circuit gauges of a backend once: the state as a number (0 closed, 1 open, 2
   * half-open, 3 other), and whether it is open (1) or not (0), which an alert can name.
   */
  public <T> void circuitState(String backend, T holder, ToDoubleFunction<T> state) {
    circuitGauges.computeIfAbsent(
        backend,
        b -> {
          Gauge.builder("aihandler.circuit.state", holder, state)
              .description("Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 forced")
              .tags("backend", b)
              .register(registry);
          Gauge.builder(
                  "aihandler.circuit.open",
                  holder,
                  h -> state.applyAsDouble(h) == CIRCUIT_OPEN ? 1 : 0)
              .description("1 while the backend's circuit is open and calls skip it, else 0")
              .tags("backend", b)
              .register(registry);
          return holder;
        });
  }

  /** A timer that publishes the given bucket boundaries as Prometheus histogram buckets. */
  private static Timer.Builder histogram(String name, Duration[] buckets) {
    return Timer.builder(name).publishPercentileHistogram(false).serviceLevelObjectives(buckets);
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
