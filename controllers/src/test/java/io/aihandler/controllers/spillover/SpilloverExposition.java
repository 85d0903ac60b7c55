package io.aihandler.controllers.spillover;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A stand-in router sidecar's {@code /metrics}: the spill-over counters exactly as the sidecar
 * exposes them through Micrometer's Prometheus registry (HELP and TYPE lines, {@code _total}
 * suffix, labels route, from, to and, on the count, reason), with values the test sets. One per
 * namespace: Prometheus adds the namespace label to each target, as a PodMonitor does.
 */
final class SpilloverExposition implements AutoCloseable {

  private record Series(String route, String from, String to) {}

  private record Counts(double requests, double costUsd) {}

  private final MockWebServer server = new MockWebServer();
  private final Map<Series, Counts> series = new ConcurrentHashMap<>();

  SpilloverExposition() throws IOException {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse.Builder()
                .code(200)
                .addHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .body(text())
                .build();
          }
        });
    server.start();
  }

  /** host:port, as a scrape target. */
  String target() {
    return server.getHostName() + ":" + server.getPort();
  }

  /** Sets the counters of one route's spill-overs from {@code from} to {@code to}. */
  SpilloverExposition set(String route, String from, String to, double requests, double costUsd) {
    series.put(new Series(route, from, to), new Counts(requests, costUsd));
    return this;
  }

  private String text() {
    StringBuilder text = new StringBuilder();
    text.append(
        "# HELP aihandler_spillovers_total Requests sent to a later target because an in-cluster"
            + " one had no ready replica\n");
    text.append("# TYPE aihandler_spillovers_total counter\n");
    series.forEach(
        (s, c) ->
            text.append(
                String.format(
                    Locale.ROOT,
                    "aihandler_spillovers_total{from=\"%s\",reason=\"scaled_to_zero\",route=\"%s\","
                        + "to=\"%s\"} %.1f\n",
                    s.from(),
                    s.route(),
                    s.to(),
                    c.requests())));
    text.append(
        "# HELP aihandler_spillover_cost_usd_total Cost in USD of requests served by a later"
            + " target while an in-cluster one had no ready replica\n");
    text.append("# TYPE aihandler_spillover_cost_usd_total counter\n");
    series.forEach(
        (s, c) ->
            text.append(
                String.format(
                    Locale.ROOT,
                    "aihandler_spillover_cost_usd_total{from=\"%s\",route=\"%s\",to=\"%s\"} %s\n",
                    s.from(),
                    s.route(),
                    s.to(),
                    Double.toString(c.costUsd()))));
    return text.toString();
  }

  @Override
  public void close() {
    server.close();
  }
}
