package io.aihandler.controllers.advisor;

import io.aihandler.controllers.advisor.PrometheusClient.Sample;
import java.util.List;

/**
 * What Prometheus answered about one task over the window: the vectors of {@link AdvisorQueries},
 * unprocessed.
 *
 * @param observedSeconds how much of the window holds data; NaN when the task has no answers
 */
public record TaskObservations(
    List<Sample> answers,
    List<Sample> tokens,
    List<Sample> cost,
    List<Sample> p50,
    List<Sample> p95,
    List<Sample> durationSum,
    List<Sample> durationCount,
    List<Sample> agreement,
    List<Sample> skipped,
    List<Sample> dataClasses,
    double observedSeconds) {

  /** Nothing observed. */
  public static TaskObservations none() {
    return new TaskObservations(
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        Double.NaN);
  }

  /** Runs every query of {@code queries} and collects the answers. */
  public static TaskObservations read(PrometheusClient prometheus, AdvisorQueries queries)
      throws PrometheusQueryException {
    List<Sample> observed = prometheus.query(queries.observedSeconds());
    return new TaskObservations(
        prometheus.query(queries.answers()),
        prometheus.query(queries.tokens()),
        prometheus.query(queries.cost()),
        prometheus.query(queries.latencyQuantile(0.5)),
        prometheus.query(queries.latencyQuantile(0.95)),
        prometheus.query(queries.durationSum()),
        prometheus.query(queries.durationCount()),
        prometheus.query(queries.agreement()),
        prometheus.query(queries.skipped()),
        prometheus.query(queries.dataClasses()),
        observed.isEmpty() ? Double.NaN : observed.getFirst().value());
  }
}
