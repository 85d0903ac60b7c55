package io.aihandler.controllers.advisor;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * What the advisor reads and how it judges. Every default is the one
 * docs/evaluating-and-switching.md documents.
 *
 * @param prometheusUrl base URL of the Prometheus HTTP API holding the sidecars' metrics; empty: no
 *     advice ({@code AdviceAvailable=False}, reason {@code NoMetricsSource})
 * @param namespaceLabel the series label naming the pod's namespace (what a PodMonitor or
 *     ServiceMonitor adds); empty: queries do not filter by namespace
 * @param window how far back the metrics are read; monthly figures are extrapolated from it
 * @param refreshInterval how often each Workflow's advice is recomputed
 * @param queryTimeout the most one Prometheus query may take, connection included
 * @param maxResponseBytes the largest Prometheus answer read; a larger one is an error
 * @param closedBelowTokensPerMonth monthly tokens under which the volume leans closed
 * @param openAboveTokensPerMonth monthly tokens over which the volume leans open
 * @param selfHostingEngineers engineers it takes to run self-hosted models (0.25: a quarter)
 * @param engineerYearlyCost fully loaded yearly cost of one engineer, in USD
 * @param validityTolerance how many percentage points of first-try validity a self-hosted model may
 *     trail the hosted one and still hold the schema as well
 * @param complexSchemaNodes schema nodes (properties, items, enum values...) from which a schema
 *     counts as complex
 * @param frequentPromptChangesPerMonth prompt changes per month from which prompt logic counts as
 *     changing often (leans closed)
 * @param stablePromptDays days without a prompt change after which it counts as stable (leans open)
 * @param vllmConcurrencyPerReplica requests one vLLM replica serves at once, for the replica
 *     estimate of a backend that does not autoscale on running requests
 */
public record AdvisorSettings(
    Optional<URI> prometheusUrl,
    String namespaceLabel,
    Duration window,
    Duration refreshInterval,
    Duration queryTimeout,
    int maxResponseBytes,
    double closedBelowTokensPerMonth,
    double openAboveTokensPerMonth,
    double selfHostingEngineers,
    double engineerYearlyCost,
    double validityTolerance,
    int complexSchemaNodes,
    double frequentPromptChangesPerMonth,
    int stablePromptDays,
    double vllmConcurrencyPerReplica) {

  /** A month as the figures count it: 30 days. */
  public static final Duration MONTH = Duration.ofDays(30);

  /** Hours of a month of GPU time: 30 days. */
  public static final double HOURS_PER_MONTH = 720;

  public AdvisorSettings {
    if (!namespaceLabel.isEmpty() && !namespaceLabel.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
      throw new IllegalArgumentException(
          "the namespace label must be a Prometheus label name, not " + namespaceLabel);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the advisor window must be positive, not " + window);
    }
    if (refreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "the advisor refresh interval must be at least 1s, not " + refreshInterval);
    }
    if (openAboveTokensPerMonth < closedBelowTokensPerMonth) {
      throw new IllegalArgumentException(
          "the open threshold ("
              + openAboveTokensPerMonth
              + " tokens/month) must not be below the closed one ("
              + closedBelowTokensPerMonth
              + ")");
    }
    if (selfHostingEngineers < 0 || engineerYearlyCost < 0) {
      throw new IllegalArgumentException("engineering cost settings must not be negative");
    }
    if (vllmConcurrencyPerReplica <= 0) {
      throw new IllegalArgumentException("vLLM concurrency per replica must be positive");
    }
  }

  /** The documented defaults, without a Prometheus. */
  public static AdvisorSettings defaults() {
    return new AdvisorSettings(
        Optional.empty(),
        "namespace",
        Duration.ofDays(7),
        Duration.ofMinutes(15),
        Duration.ofSeconds(10),
        4 * 1024 * 1024,
        50_000_000,
        500_000_000,
        0.25,
        200_000,
        1.0,
        12,
        2,
        30,
        8);
  }

  /** These settings reading the given Prometheus. */
  public AdvisorSettings withPrometheus(URI url) {
    return new AdvisorSettings(
        Optional.of(url),
        namespaceLabel,
        window,
        refreshInterval,
        queryTimeout,
        maxResponseBytes,
        closedBelowTokensPerMonth,
        openAboveTokensPerMonth,
        selfHostingEngineers,
        engineerYearlyCost,
        validityTolerance,
        complexSchemaNodes,
        frequentPromptChangesPerMonth,
        stablePromptDays,
        vllmConcurrencyPerReplica);
  }

  /** These settings with another window, refresh interval and namespace label. */
  public AdvisorSettings withWindow(Duration window, Duration refresh, String namespaceLabel) {
    return new AdvisorSettings(
        prometheusUrl,
        namespaceLabel,
        window,
        refresh,
        queryTimeout,
        maxResponseBytes,
        closedBelowTokensPerMonth,
        openAboveTokensPerMonth,
        selfHostingEngineers,
        engineerYearlyCost,
        validityTolerance,
        complexSchemaNodes,
        frequentPromptChangesPerMonth,
        stablePromptDays,
        vllmConcurrencyPerReplica);
  }

  /** What self-hosting costs in engineering per month, in USD. */
  public double engineeringCostPerMonth() {
    return selfHostingEngineers * engineerYearlyCost / 12;
  }

  /** A client of the configured Prometheus, bounded by these settings; empty without one. */
  public Optional<PrometheusClient> prometheusClient() {
    return prometheusUrl.map(url -> new PrometheusClient(url, queryTimeout, maxResponseBytes));
  }
}
