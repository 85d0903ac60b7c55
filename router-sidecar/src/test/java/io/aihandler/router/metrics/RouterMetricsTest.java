package io.aihandler.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Meters are registered once per set of labels and then reused; every call still counts. */
class RouterMetricsTest {

  @Test
  void eachSetOfLabelsKeepsItsOwnCount() {
    RouterMetrics m = new RouterMetrics();
    for (int i = 0; i < 3; i++) {
      m.request("chat", "support", "gpt-4o", "success", Duration.ofMillis(20));
    }
    m.request("chat", "support", "gpt-4o", "timeout", Duration.ofMillis(5));
    m.request("chat", "support", "claude", "success", Duration.ofMillis(7));
    String page = m.scrape();
    assertThat(page)
        .contains(
            "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"success\",route=\"support\"} 3.0")
        .contains(
            "aihandler_requests_total{backend=\"gpt-4o\",endpoint=\"chat\",outcome=\"timeout\",route=\"support\"} 1.0")
        .contains(
            "aihandler_requests_total{backend=\"claude\",endpoint=\"chat\",outcome=\"success\",route=\"support\"} 1.0")
        .contains(
            "aihandler_request_duration_seconds_count{endpoint=\"chat\",outcome=\"success\",route=\"support\"} 4");
  }

  @Test
  void usageRetriesFallbacksAndOverheadAccumulate() {
    RouterMetrics m = new RouterMetrics();
    m.usage("gpt-4o", 10, 4, 0.5);
    m.usage("gpt-4o", 5, 1, 0.25);
    m.retry("gpt-4o", "rateLimited");
    m.retry("gpt-4o", "rateLimited");
    m.retry("gpt-4o", "timeout");
    m.fallback("support", "gpt-4o", "timeout");
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
        .contains("aihandler_tokens_total{backend=\"gpt-4o\",direction=\"input\"} 15.0")
        .contains("aihandler_tokens_total{backend=\"gpt-4o\",direction=\"output\"} 5.0")
        .contains("aihandler_cost_usd_total{backend=\"gpt-4o\"} 0.75")
        .contains("aihandler_retries_total{backend=\"gpt-4o\",reason=\"rateLimited\"} 2.0")
        .contains("aihandler_retries_total{backend=\"gpt-4o\",reason=\"timeout\"} 1.0")
        .contains(
            "aihandler_fallbacks_total{backend=\"gpt-4o\",reason=\"timeout\",route=\"support\"} 1.0")
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
}
