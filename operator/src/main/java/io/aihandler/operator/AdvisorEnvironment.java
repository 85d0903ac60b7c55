package io.aihandler.operator;

import io.aihandler.controllers.advisor.AdvisorSettings;
import io.aihandler.router.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the advisor's settings from the operator's environment ({@code ADVISOR_*}, set by the
 * chart's {@code advisor} values); every absent variable keeps the documented default.
 */
final class AdvisorEnvironment {

  private AdvisorEnvironment() {}

  static AdvisorSettings read(Map<String, String> env) {
    AdvisorSettings d = AdvisorSettings.defaults();
    return new AdvisorSettings(
        url(env, "ADVISOR_PROMETHEUS_URL"),
        env.getOrDefault("ADVISOR_NAMESPACE_LABEL", d.namespaceLabel()).strip(),
        duration(env, "ADVISOR_WINDOW", d.window()),
        duration(env, "ADVISOR_REFRESH_INTERVAL", d.refreshInterval()),
        duration(env, "ADVISOR_QUERY_TIMEOUT", d.queryTimeout()),
        d.maxResponseBytes(),
        number(env, "ADVISOR_CLOSED_BELOW_TOKENS_PER_MONTH", d.closedBelowTokensPerMonth()),
        number(env, "ADVISOR_OPEN_ABOVE_TOKENS_PER_MONTH", d.openAboveTokensPerMonth()),
        number(env, "ADVISOR_SELF_HOSTING_ENGINEERS", d.selfHostingEngineers()),
        number(env, "ADVISOR_ENGINEER_YEARLY_COST_USD", d.engineerYearlyCost()),
        number(env, "ADVISOR_VALIDITY_TOLERANCE_POINTS", d.validityTolerance()),
        (int) number(env, "ADVISOR_COMPLEX_SCHEMA_NODES", d.complexSchemaNodes()),
        number(env, "ADVISOR_FREQUENT_PROMPT_CHANGES_PER_MONTH", d.frequentPromptChangesPerMonth()),
        (int) number(env, "ADVISOR_STABLE_PROMPT_DAYS", d.stablePromptDays()),
        number(env, "ADVISOR_VLLM_CONCURRENCY_PER_REPLICA", d.vllmConcurrencyPerReplica()));
  }

  private static Optional<URI> url(Map<String, String> env, String name) {
    String value = env.getOrDefault(name, "").strip();
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new URISyntaxException(value, "not an http(s) URL with a host");
      }
      if (uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
        throw new URISyntaxException(value, "credentials and query strings are not supported");
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      // The value is not quoted: a URL may carry credentials.
      throw new IllegalArgumentException(
          name
              + " must be the http(s) base URL of the Prometheus HTTP API, without credentials or a"
              + " query, e.g. http://prometheus.monitoring:9090");
    }
  }

  /** An API duration ({@code 30s}, {@code 168h}) or whole days ({@code 7d}). */
  static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String value = env.getOrDefault(name, "").strip();
    if (value.isEmpty()) {
      return fallback;
    }
    if (value.matches("[0-9]{1,4}d")) {
      return Duration.ofDays(Long.parseLong(value.substring(0, value.length() - 1)));
    }
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + " must be a duration such as 7d, 168h or 15m, not " + value);
    }
  }

  private static double number(Map<String, String> env, String name, double fallback) {
    String value = env.getOrDefault(name, "").strip();
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      double parsed = Double.parseDouble(value);
      if (!Double.isFinite(parsed) || parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number of at least 0, not " + value);
    }
  }
}
