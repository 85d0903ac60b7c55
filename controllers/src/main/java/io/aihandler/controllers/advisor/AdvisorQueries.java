package io.aihandler.controllers.advisor;

import java.time.Duration;
import java.util.List;

/**
 * Every PromQL expression the advisor sends, over the sidecars' task metrics
 * (docs/router-sidecar.md lists them), for one task in one namespace over one window. Each is an
 * instant query whose answer is a vector; the tests run every one of them against a real
 * Prometheus.
 *
 * @param task the task's name, as the sidecars label it
 * @param namespace the Workflow's namespace, matched on {@code namespaceLabel}
 * @param namespaceLabel the label a scrape adds for the pod's namespace; empty: not matched
 * @param window how far back each expression reads
 */
public record AdvisorQueries(
    String task, String namespace, String namespaceLabel, Duration window) {

  /** Judged answers per backend, role and result. */
  public String answers() {
    return "sum by (backend, role, result) (increase(aihandler_task_answers_total"
        + selector()
        + range()
        + "))";
  }

  /** Tokens per backend, role and direction. */
  public String tokens() {
    return "sum by (backend, role, direction) (increase(aihandler_task_tokens_total"
        + selector()
        + range()
        + "))";
  }

  /** Metered cost in USD per backend and role. */
  public String cost() {
    return "sum by (backend, role) (increase(aihandler_task_cost_usd_total"
        + selector()
        + range()
        + "))";
  }

  /** A latency quantile (e.g. 0.95) per backend and role, from the summed buckets of every pod. */
  public String latencyQuantile(double quantile) {
    return "histogram_quantile("
        + quantile
        + ", sum by (backend, role, le) (increase(aihandler_task_answer_duration_seconds_bucket"
        + selector()
        + range()
        + ")))";
  }

  /** Seconds spent in judged calls per backend and role: with the count, the mean duration. */
  public String durationSum() {
    return "sum by (backend, role) (increase(aihandler_task_answer_duration_seconds_sum"
        + selector()
        + range()
        + "))";
  }

  /** Judged calls timed per backend and role. */
  public String durationCount() {
    return "sum by (backend, role) (increase(aihandler_task_answer_duration_seconds_count"
        + selector()
        + range()
        + "))";
  }

  /** Shadow answers compared with the primary's, per backend, measure and result. */
  public String agreement() {
    return "sum by (backend, measure, result) (increase(aihandler_shadow_agreement_total"
        + selector()
        + range()
        + "))";
  }

  /** Requests not mirrored to a candidate, per backend and reason. */
  public String skipped() {
    return "sum by (backend, reason) (increase(aihandler_shadow_skipped_total"
        + selector()
        + range()
        + "))";
  }

  /** The task's requests by their effective data class. */
  public String dataClasses() {
    return "sum by (data_class) (increase(aihandler_task_data_classes_total"
        + selector()
        + range()
        + "))";
  }

  /**
   * Seconds since the first answer of the task inside the window: how much of the window holds
   * data, so a task observed for two hours is not extrapolated as if it had been quiet for a week.
   */
  public String observedSeconds() {
    return "time() - min(min_over_time(timestamp(aihandler_task_answers_total"
        + selector()
        + ")["
        + seconds(window)
        + ":"
        + seconds(subqueryStep())
        + "]))";
  }

  /** Every expression, for tests that run each one. */
  public List<String> all() {
    return List.of(
        answers(),
        tokens(),
        cost(),
        latencyQuantile(0.5),
        latencyQuantile(0.95),
        durationSum(),
        durationCount(),
        agreement(),
        skipped(),
        dataClasses(),
        observedSeconds());
  }

  /** About 2,000 points over the window, at least one a second: 5m for 7d. */
  Duration subqueryStep() {
    return Duration.ofSeconds(Math.max(1, window.toSeconds() / 2000));
  }

  private String selector() {
    StringBuilder selector = new StringBuilder("{task=\"").append(escape(task)).append('"');
    if (!namespaceLabel.isEmpty()) {
      selector.append(", ").append(namespaceLabel).append("=\"").append(escape(namespace));
      selector.append('"');
    }
    return selector.append('}').toString();
  }

  private String range() {
    return "[" + seconds(window) + "]";
  }

  private static String seconds(Duration duration) {
    return Math.max(1, duration.toSeconds()) + "s";
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
