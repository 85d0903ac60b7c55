package io.aihandler.controllers.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.aihandler.controllers.advisor.PrometheusClient.Sample;
import io.aihandler.testing.prometheus.PrometheusServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every expression of {@link AdvisorQueries}, sent by the advisor's own client to a real Prometheus
 * that scrapes the task metrics in the text format a Micrometer registry writes, with the labels,
 * names and buckets of the sidecar's contract.
 *
 * <p>Traffic: the classify task's clients get 100 answers from claude (98 valid first try, one
 * after a repair, one failed) at 0.8 s; llama answers 50 of them in shadow (45, 3, 2 invalid) at
 * 1.2 s. A second task and a second namespace's series must not leak into the first's figures.
 */
class AdvisorQueriesPrometheusTest {

  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static TaskMetricsTarget support;
  private static TaskMetricsTarget other;
  private static PrometheusServer prometheus;
  private static PrometheusClient client;
  private static long startedAt;

  @BeforeAll
  static void scrapeRecordedTraffic() throws Exception {
    PrometheusServer.require(PrometheusServer.binary(), "prometheus");
    support = new TaskMetricsTarget("support");
    other = new TaskMetricsTarget("elsewhere");
    support.declare("classify", "claude", "primary");
    support.declare("classify", "llama-3-3-70b", "shadow");
    support.declare("summarize", "claude", "primary");
    support.declareClass("classify", "internal");
    support.declareClass("classify", "restricted");
    support.declareSkip("classify", "llama-3-3-70b", "busy");
    other.declare("classify", "claude", "primary");
    startedAt = System.currentTimeMillis();
    prometheus = PrometheusServer.start(List.of(support.target(), other.target()));
    prometheus.awaitUp(Duration.ofSeconds(30));
    prometheus.awaitFreshScrape();

    for (int i = 0; i < 100; i++) {
      String result = i < 98 ? "valid_first_try" : i == 98 ? "valid_after_repair" : "failed";
      support.answer(
          "classify", "claude", "primary", result, Duration.ofMillis(800), 500, 40, 0.0021);
      support.request("classify", i < 99 ? "internal" : "restricted");
      other.answer(
          "classify", "claude", "primary", "invalid", Duration.ofSeconds(30), 9000, 900, 1.0);
    }
    for (int i = 0; i < 50; i++) {
      String result = i < 45 ? "valid_first_try" : i < 48 ? "valid_after_repair" : "invalid";
      support.answer(
          "classify", "llama-3-3-70b", "shadow", result, Duration.ofMillis(1200), 520, 45, 0);
    }
    for (int i = 0; i < 20; i++) {
      support.answer(
          "summarize", "claude", "primary", "failed", Duration.ofSeconds(9), 3000, 300, 0.05);
    }
    support.agree("classify", "llama-3-3-70b", "exact", "agree", 40);
    support.agree("classify", "llama-3-3-70b", "exact", "disagree", 8);
    support.agree("classify", "llama-3-3-70b", "field", "agree", 130);
    support.agree("classify", "llama-3-3-70b", "field", "disagree", 14);
    for (int i = 0; i < 3; i++) {
      support.skip("classify", "llama-3-3-70b", "busy");
    }
    prometheus.awaitFreshScrape();
    client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(10), 4 * 1024 * 1024);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (support != null) {
      support.close();
      other.close();
    }
  }

  private static AdvisorQueries classify() {
    return new AdvisorQueries("classify", "support", "namespace", WINDOW);
  }

  private static double value(List<Sample> samples, Map<String, String> labels) {
    return samples.stream()
        .filter(
            s -> labels.entrySet().stream().allMatch(e -> s.label(e.getKey()).equals(e.getValue())))
        .mapToDouble(Sample::value)
        .sum();
  }

  @Test
  void everyExpressionIsAcceptedAndAnswersForTheTask() throws Exception {
    for (String expression : classify().all()) {
      assertThat(client.query(expression)).as(expression).isNotEmpty();
    }
    // A namespace with no such task has no series: the selector holds.
    for (String expression : new AdvisorQueries("classify", "nowhere", "namespace", WINDOW).all()) {
      assertThat(client.query(expression)).as(expression).isEmpty();
    }
  }

  @Test
  void answersCountPerBackendRoleAndResult() throws Exception {
    List<Sample> answers = client.query(classify().answers());
    double claude = value(answers, Map.of("backend", "claude", "role", "primary"));
    double firstTry =
        value(answers, Map.of("backend", "claude", "role", "primary", "result", "valid_first_try"));
    // increase() extrapolates a little; the shares of one scrape are exact.
    assertThat(claude).isCloseTo(100, within(25.0));
    assertThat(firstTry / claude).isCloseTo(0.98, within(1e-9));
    double llama = value(answers, Map.of("backend", "llama-3-3-70b", "role", "shadow"));
    assertThat(value(answers, Map.of("backend", "llama-3-3-70b", "result", "invalid")) / llama)
        .isCloseTo(0.04, within(1e-9));
    // The other namespace's invalid answers and the other task's failures are not here.
    assertThat(value(answers, Map.of("backend", "claude", "result", "invalid"))).isZero();
    assertThat(value(answers, Map.of("backend", "claude", "result", "failed")) / claude)
        .isCloseTo(0.01, within(1e-9));
  }

  @Test
  void tokensCostAndDurationsSumPerBackendAndRole() throws Exception {
    List<Sample> answers = client.query(classify().answers());
    double claude = value(answers, Map.of("backend", "claude", "role", "primary"));
    // Two queries are two instants, each with its own extrapolation: their ratios are close, not
    // exact.
    List<Sample> tokens = client.query(classify().tokens());
    assertThat(value(tokens, Map.of("backend", "claude", "direction", "input")) / claude)
        .isCloseTo(500, within(10.0));
    assertThat(value(tokens, Map.of("backend", "llama-3-3-70b", "direction", "output")))
        .isPositive();
    assertThat(value(client.query(classify().cost()), Map.of("backend", "claude")) / claude)
        .isCloseTo(0.0021, within(0.0021 * 0.02));
    double seconds = value(client.query(classify().durationSum()), Map.of("backend", "claude"));
    double count = value(client.query(classify().durationCount()), Map.of("backend", "claude"));
    assertThat(seconds / count).isCloseTo(0.8, within(0.01));
  }

  @Test
  void quantilesComeFromTheSidecarsBucketsSummedAcrossPods() throws Exception {
    // 0.8 s falls in (0.5, 1]: histogram_quantile interpolates linearly inside the bucket.
    List<Sample> p50 = client.query(classify().latencyQuantile(0.5));
    List<Sample> p95 = client.query(classify().latencyQuantile(0.95));
    assertThat(value(p50, Map.of("backend", "claude", "role", "primary")))
        .isCloseTo(0.75, within(1e-6));
    assertThat(value(p95, Map.of("backend", "claude", "role", "primary")))
        .isCloseTo(0.975, within(1e-6));
    // 1.2 s falls in (1, 2.5].
    assertThat(value(p50, Map.of("backend", "llama-3-3-70b", "role", "shadow")))
        .isCloseTo(1.75, within(1e-6));
  }

  @Test
  void agreementSkipsAndDataClassesCount() throws Exception {
    List<Sample> agreement = client.query(classify().agreement());
    double agree = value(agreement, Map.of("measure", "exact", "result", "agree"));
    double all = value(agreement, Map.of("measure", "exact"));
    assertThat(agree / all).isCloseTo(40.0 / 48, within(1e-9));
    assertThat(value(client.query(classify().skipped()), Map.of("reason", "busy"))).isPositive();
    List<Sample> classes = client.query(classify().dataClasses());
    double internal = value(classes, Map.of("data_class", "internal"));
    double restricted = value(classes, Map.of("data_class", "restricted"));
    assertThat(restricted / (internal + restricted)).isCloseTo(0.01, within(1e-9));
  }

  @Test
  void theObservedSpanIsHowLongTheTaskHasHadSeriesNotTheWholeWindow() throws Exception {
    List<Sample> span = client.query(classify().observedSeconds());
    double elapsed = (System.currentTimeMillis() - startedAt) / 1000.0;
    assertThat(span).singleElement();
    assertThat(span.getFirst().value()).isBetween(1.0, elapsed + 2);
    assertThat(span.getFirst().value()).isLessThan(WINDOW.toSeconds());
  }

  @Test
  void theWholeReadGivesTheEconomicsTheAdvisorJudges() throws Exception {
    TaskObservations observations = TaskObservations.read(client, classify());
    TaskEconomics economics =
        TaskEconomics.compute(
            observations,
            Profiles.of(Profiles.claude(), Profiles.llama()),
            List.of("claude", "llama-3-3-70b"),
            WINDOW);

    assertThat(economics.currentBackend()).isEqualTo("claude");
    assertThat(economics.current().answers().firstTryRate()).isCloseTo(0.98, within(1e-9));
    BackendEconomics llama =
        economics.backends().stream()
            .filter(b -> b.name().equals("llama-3-3-70b"))
            .findFirst()
            .orElseThrow();
    assertThat(llama.answers().firstTryRate()).isCloseTo(0.90, within(1e-9));
    assertThat(llama.exactAgreement()).isCloseTo(40.0 / 48, within(1e-9));
    assertThat(llama.inputPerRequest()).isCloseTo(520, within(10.0));
    assertThat(llama.meanSeconds()).isCloseTo(1.2, within(0.01));
    // A month is far more than the seconds observed: the volume is extrapolated from them.
    assertThat(economics.monthFactor()).isGreaterThan(30.0 * 86_400 / WINDOW.toSeconds());
    assertThat(economics.requestsPerMonth()).isGreaterThan(100 * economics.monthFactor() * 0.75);
  }
}
