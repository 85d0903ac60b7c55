package io.aihandler.controllers.advisor;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A scrape target serving the sidecar's task metrics (the names, labels and histogram buckets of
 * the shadow-evaluation contract) from a real Micrometer {@link PrometheusMeterRegistry}, so the
 * text Prometheus scrapes is the format the sidecar writes. It stands where a sidecar process
 * stands: the tests only need {@link #target()} and the calls that record traffic.
 *
 * <p>Every series starts at zero ({@link #declare}) before it counts: Prometheus's {@code
 * increase()} does not see what a series held at its first scrape.
 */
final class TaskMetricsTarget implements AutoCloseable {

  /** The sidecar's request and upstream latency buckets ({@code LatencyBuckets.REQUEST}). */
  static final Duration[] BUCKETS =
      Arrays.stream(
              new double[] {
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600
              })
          .mapToObj(s -> Duration.ofNanos((long) (s * 1e9)))
          .toArray(Duration[]::new);

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;

  /**
   * @param namespace the value of the {@code namespace} label a cluster scrape would add
   */
  TaskMetricsTarget(String namespace) throws IOException {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("namespace", namespace);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** {@code host:port} for Prometheus's static config. */
  String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Creates every series of one task call's labels at zero. */
  void declare(String task, String backend, String role) {
    for (String result :
        new String[] {"valid_first_try", "valid_after_repair", "invalid", "failed"}) {
      answers(task, backend, role, result);
    }
    duration(task, backend, role);
    tokens(task, backend, role, "input");
    tokens(task, backend, role, "output");
    cost(task, backend, role);
    if (role.equals("shadow")) {
      for (String measure : new String[] {"exact", "field"}) {
        agreement(task, backend, measure, "agree");
        agreement(task, backend, measure, "disagree");
      }
    }
  }

  /** Creates the data-class and skip series at zero. */
  void declareClass(String task, String dataClass) {
    dataClasses(task, dataClass);
  }

  void declareSkip(String task, String backend, String reason) {
    skipped(task, backend, reason);
  }

  /** One judged call, as the sidecar counts it. */
  void answer(
      String task,
      String backend,
      String role,
      String result,
      Duration took,
      int inputTokens,
      int outputTokens,
      double costUsd) {
    answers(task, backend, role, result).increment();
    duration(task, backend, role).record(took);
    tokens(task, backend, role, "input").increment(inputTokens);
    tokens(task, backend, role, "output").increment(outputTokens);
    cost(task, backend, role).increment(costUsd);
  }

  void agree(String task, String backend, String measure, String result, int count) {
    agreement(task, backend, measure, result).increment(count);
  }

  void skip(String task, String backend, String reason) {
    skipped(task, backend, reason).increment();
  }

  void request(String task, String dataClass) {
    dataClasses(task, dataClass).increment();
  }

  private Counter answers(String task, String backend, String role, String result) {
    return Counter.builder("aihandler.task.answers")
        .tags("task", task, "backend", backend, "role", role, "result", result)
        .register(registry);
  }

  private Timer duration(String task, String backend, String role) {
    return Timer.builder("aihandler.task.answer.duration")
        .publishPercentileHistogram(false)
        .serviceLevelObjectives(BUCKETS)
        .tags("task", task, "backend", backend, "role", role)
        .register(registry);
  }

  private Counter tokens(String task, String backend, String role, String direction) {
    return Counter.builder("aihandler.task.tokens")
        .tags("task", task, "backend", backend, "role", role, "direction", direction)
        .register(registry);
  }

  private Counter cost(String task, String backend, String role) {
    return Counter.builder("aihandler.task.cost.usd")
        .tags("task", task, "backend", backend, "role", role)
        .register(registry);
  }

  private Counter agreement(String task, String backend, String measure, String result) {
    return Counter.builder("aihandler.shadow.agreement")
        .tags("task", task, "backend", backend, "measure", measure, "result", result)
        .register(registry);
  }

  private Counter skipped(String task, String backend, String reason) {
    return Counter.builder("aihandler.shadow.skipped")
        .tags("task", task, "backend", backend, "reason", reason)
        .register(registry);
  }

  private Counter dataClasses(String task, String dataClass) {
    return Counter.builder("aihandler.task.data.classes")
        .tags("task", task, "data_class", dataClass)
        .register(registry);
  }

  /** The exposition as Prometheus scrapes it. */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    server.stop(0);
    registry.close();
  }
}
