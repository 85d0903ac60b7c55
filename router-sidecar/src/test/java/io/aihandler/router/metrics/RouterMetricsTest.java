package io.aihandler.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Meters are registered once per set of labels and then reused; every call still counts. */
class RouterMetricsTest {

  @Test
  void eachSetOfLabelsKeepsItsOwnCount() {
    RouterMetrics m = new RouterMetrics();
    for (int i = 0; i < 3; i++) {
      m.request("chat", "support", "none", "gpt-4o", "success", Duration.ofMillis(20));
    }
    m.request("chat", "support", "none", "gpt-4o", "timeout", Duration.ofMillis(5));
    m.request("chat", "support", "none", "claude", "success", Duration.ofMillis(7));
    String page = m.scrape();
    assertThat(page)
        .contains(
            "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"success\",route=\"support\",task=\"none\"} 3.0")
        .contains(
            "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"timeout\",route=\"support\",task=\"none\"} 1.0")
        .contains(
            "aihandler_requests_total{backend=\"claude\",endpoint=\"chat\",outcome=\"success\",route=\"support\",task=\"none\"} 1.0")
        .contains(
            "aihandler_request_duration_seconds_count{endpoint=\"chat\",outcome=\"success\",route=\"support\",task=\"none\"} 4");
  }

  @Test
  void usageRetriesFallbacksAndOverheadAccumulate() {
    RouterMetrics m = new RouterMetrics();
    m.usage("gpt-4o", "none", 10, 4, 0.5);
    m.usage("gpt-4o", "none", 5, 1, 0.25);
    m.retry("gpt-4o", "rateLimited");
    m.retry("gpt-4o", "rateLimited");
    m.retry("gpt-4o", "timeout");
    m.fallback("support", "triage", "gpt-4o", "timeout");
    m.validationFailure("triage", "gpt-4o");
    m.repairAttempt("triage", "gpt-4o");
    m.dataPolicyBlock("restricted", "gpt-4o");
    m.dataPolicyBlock("restricted", "gpt-4o");
    m.overhead("chat", Duration.ofMillis(-3)); // counted as zero, never negative
    m.overhead("chat", Duration.ofMillis(2));
    m.upstream("gpt-4o", "ok", Duration.ofMillis(30));
    m.upstream("gpt-4o", "http_500", Duration.ofMillis(3));
    String page = m.scrape();
    assertThat(page)
        .contains(
            "aihandler_tokens_total{backend=\"gpt-4o\",direction=\"input\",task=\"none\"} 15.0")
        .contains(
            "aihandler_tokens_total{backend=\"gpt-4o\",direction=\"output\",task=\"none\"} 5.0")
        .contains("aihandler_cost_usd_total{backend=\"gpt-4o\",task=\"none\"} 0.75")
        .contains("aihandler_retries_total{backend=\"gpt-4o\",reason=\"rateLimited\"} 2.0")
        .contains("aihandler_retries_total{backend=\"gpt-4o\",reason=\"timeout\"} 1.0")
        .contains(
            "aihandler_fallbacks_total{backend=\"gpt-4o\",reason=\"timeout\",route=\"support\",task=\"triage\"} 1.0")
        .contains("aihandler_validation_failures_total{backend=\"gpt-4o\",task=\"triage\"} 1.0")
        .contains("aihandler_repair_attempts_total{backend=\"gpt-4o\",task=\"triage\"} 1.0")
        .contains(
            "aihandler_data_policy_blocks_total{backend=\"gpt-4o\",data_class=\"restricted\"} 2.0")
        .contains("aihandler_overhead_duration_seconds_count{endpoint=\"chat\"} 2")
        .contains("aihandler_overhead_duration_seconds_sum{endpoint=\"chat\"} 0.002")
        .contains("aihandler_upstream_duration_seconds_count{backend=\"gpt-4o\",outcome=\"ok\"} 1")
        .contains(
            "aihandler_upstream_duration_seconds_count{backend=\"gpt-4o\",outcome=\"http_500\"} 1");
  }

  @Test
  void latenciesArePublishedAsHistogramsWithTheDocumentedBuckets() {
    RouterMetrics m = new RouterMetrics();
    m.request("chat", "support", "none", "gpt-4o", "success", Duration.ofMillis(20));
    m.upstream("gpt-4o", "ok", Duration.ofMillis(20));
    m.overhead("chat", Duration.ofNanos(70_000));
    RouterMetrics.StreamTimers t = m.stream("support", "triage", "gpt-4o");
    t.firstToken(30_000_000);
    t.betweenTokens(3_000_000);
    t.betweenTokens(3_000_000);
    String page = m.scrape();

    assertThat(les(page, "aihandler_request_duration_seconds_bucket"))
        .containsExactly(
            "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
            "20.0", "30.0", "60.0", "120.0", "300.0", "600.0", "+Inf");
    assertThat(les(page, "aihandler_upstream_duration_seconds_bucket"))
        .isEqualTo(les(page, "aihandler_request_duration_seconds_bucket"));
    assertThat(les(page, "aihandler_overhead_duration_seconds_bucket"))
        .containsExactly(
            "5.0E-5", "1.0E-4", "2.5E-4", "5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025",
            "0.05", "0.1", "0.25", "0.5", "1.0", "+Inf");
    assertThat(les(page, "aihandler_time_to_first_token_seconds_bucket"))
        .containsExactly(
            "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "20.0",
            "30.0", "60.0", "120.0", "+Inf");
    assertThat(les(page, "aihandler_time_between_tokens_seconds_bucket"))
        .containsExactly(
            "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5",
            "5.0", "+Inf");
    // Each observation lands in its bucket and every one above it.
    assertThat(page)
        .contains(
            "aihandler_request_duration_seconds_bucket{endpoint=\"chat\",outcome=\"success\",route=\"support\",task=\"none\",le=\"0.01\"} 0")
        .contains(
            "aihandler_request_duration_seconds_bucket{endpoint=\"chat\",outcome=\"success\",route=\"support\",task=\"none\",le=\"0.025\"} 1")
        .contains("aihandler_overhead_duration_seconds_bucket{endpoint=\"chat\",le=\"5.0E-5\"} 0")
        .contains("aihandler_overhead_duration_seconds_bucket{endpoint=\"chat\",le=\"1.0E-4\"} 1")
        .contains(
            "aihandler_time_to_first_token_seconds_bucket{backend=\"gpt-4o\",route=\"support\",task=\"triage\",le=\"0.05\"} 1")
        .contains(
            "aihandler_time_between_tokens_seconds_bucket{backend=\"gpt-4o\",route=\"support\",task=\"triage\",le=\"0.005\"} 2")
        .contains(
            "aihandler_time_between_tokens_seconds_bucket{backend=\"gpt-4o\",route=\"support\",task=\"triage\",le=\"0.0025\"} 0");
  }

  @Test
  void upstreamStatusesOutsideTheKnownOnesAreCountedByClass() {
    assertThat(RouterMetrics.httpOutcome(429)).isEqualTo("http_429");
    assertThat(RouterMetrics.httpOutcome(503)).isEqualTo("http_503");
    assertThat(RouterMetrics.httpOutcome(418)).isEqualTo("http_4xx");
    assertThat(RouterMetrics.httpOutcome(599)).isEqualTo("http_5xx");
    assertThat(RouterMetrics.httpOutcome(999)).isEqualTo("http_other");
    assertThat(RouterMetrics.httpOutcome(101)).isEqualTo("http_other");
  }

  @Test
  void anOpenCircuitShowsInBothGauges() {
    RouterMetrics m = new RouterMetrics();
    double[] state = {0};
    m.circuitState("gpt-4o", state, s -> s[0]);
    assertThat(m.scrape())
        .contains("aihandler_circuit_state{backend=\"gpt-4o\"} 0.0")
        .contains("aihandler_circuit_open{backend=\"gpt-4o\"} 0.0");
    state[0] = 1;
    assertThat(m.scrape())
        .contains("aihandler_circuit_state{backend=\"gpt-4o\"} 1.0")
        .contains("aihandler_circuit_open{backend=\"gpt-4o\"} 1.0");
    state[0] = 2; // half-open lets a probe through: not open
    assertThat(m.scrape()).contains("aihandler_circuit_open{backend=\"gpt-4o\"} 0.0");
  }

  /** The {@code le} values of a histogram's first series, in page order. */
  static List<String> les(String page, String bucketName) {
    List<String> out = new ArrayList<>();
    String firstLabels = null;
    for (String line : page.split("\n")) {
      if (!line.startsWith(bucketName + "{")) {
        continue;
      }
      int le = line.indexOf(",le=\"");
      String labels = line.substring(0, le);
      if (firstLabels == null) {
        firstLabels = labels;
      }
      if (labels.equals(firstLabels)) {
        out.add(line.substring(le + 5, line.indexOf('"', le + 5)));
      }
    }
    return out;
  }
}
