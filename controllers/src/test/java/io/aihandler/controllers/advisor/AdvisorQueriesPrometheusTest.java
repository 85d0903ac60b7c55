package io.aihandler.controllers.advisor;

import static io.aihandler.controllers.advisor.ClassifySidecar.Shadow.AGREE;
import static io.aihandler.controllers.advisor.ClassifySidecar.Shadow.DISAGREE;
import static io.aihandler.controllers.advisor.ClassifySidecar.Shadow.INVALID;
import static io.aihandler.controllers.advisor.ClassifySidecar.Shadow.REPAIRED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.aihandler.controllers.advisor.ClassifySidecar.Shadow;
import io.aihandler.controllers.advisor.PrometheusClient.Sample;
import io.aihandler.testing.prometheus.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every expression of {@link AdvisorQueries}, sent by the advisor's own client to a real Prometheus
 * that scrapes real sidecar processes, labelled with their namespace as a cluster's scrape labels
 * them. The sidecars route to MockWebServer providers: a hosted primary, claude, and a self-hosted
 * candidate, the Llama, that is sometimes invalid.
 *
 * <p>Traffic, after one request of each kind has made every series exist: 40 classify requests in
 * namespace {@code support}, 39 answered by claude and mirrored to the Llama (30 agreeing, 3 with
 * another priority, 3 repaired, 3 still invalid), one failed by claude; one request the client
 * marks restricted, which external claude may not serve (answered by no backend, so counted as
 * failed on backend {@code none}); 5 summarize requests. A sidecar in namespace {@code elsewhere}
 * fails its classify requests: none of that may leak into the first's figures.
 *
 * <p>{@code increase()} extrapolates a little past its first and last samples: each figure lies
 * between what the sidecar counted and a twelfth more (the series are sampled for at least 12 s,
 * every second); the tests allow 15%.
 */
class AdvisorQueriesPrometheusTest {

  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final List<Shadow> TRAFFIC = traffic();
  private static Path directory;
  private static ClassifySidecar support;
  private static ClassifySidecar elsewhere;
  private static PrometheusServer prometheus;
  private static PrometheusClient client;
  private static String before;
  private static String after;
  private static long startedAt;

  /**
   * 39 shadows: every 13th from the 4th disagrees, from the 7th is repaired, from the 13th stays
   * invalid.
   */
  private static List<Shadow> traffic() {
    List<Shadow> traffic = new java.util.ArrayList<>();
    for (int i = 0; i < 39; i++) {
      traffic.add(i % 13 == 3 ? DISAGREE : i % 13 == 6 ? REPAIRED : i % 13 == 12 ? INVALID : AGREE);
    }
    return List.copyOf(traffic);
  }

  @BeforeAll
  static void scrapeRealTraffic() throws Exception {
    PrometheusServer.require(PrometheusServer.binary(), "prometheus");
    directory = Files.createTempDirectory("advisor-queries");
    support = ClassifySidecar.start(Files.createDirectory(directory.resolve("support")));
    elsewhere = ClassifySidecar.start(Files.createDirectory(directory.resolve("elsewhere")));
    // One of each, so every series exists before Prometheus first scrapes it: increase() does not
    // see what a series held at its first sample.
    for (Shadow s : Shadow.values()) {
      support.classify(s);
    }
    support.classifyFailing();
    support.classifyRestricted();
    support.summarize();
    elsewhere.classifyFailing();
    support.awaitShadows(Shadow.values().length);
    Map<String, Map<String, String>> targets = new LinkedHashMap<>();
    targets.put(support.target(), Map.of("namespace", "support"));
    targets.put(elsewhere.target(), Map.of("namespace", "elsewhere"));
    prometheus = PrometheusServer.startLabelled("/metrics", targets, List.of());
    prometheus.awaitUp(Duration.ofSeconds(30));
    prometheus.awaitFreshScrape();
    startedAt = System.currentTimeMillis();
    before = support.metrics();

    for (Shadow s : TRAFFIC) {
      support.classify(s);
      elsewhere.classifyFailing();
    }
    support.classifyFailing();
    support.classifyRestricted();
    for (int i = 0; i < 5; i++) {
      support.summarize();
    }
    support.awaitShadows(Shadow.values().length + TRAFFIC.size());
    after = support.metrics();
    // The series' sampled span is at least 12 s, so the extrapolation adds at most a twelfth.
    Thread.sleep(Math.max(0, 12_000 - (System.currentTimeMillis() - startedAt)));
    prometheus.awaitFreshScrape();
    client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(10), 4 * 1024 * 1024);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    for (ClassifySidecar sidecar : new ClassifySidecar[] {support, elsewhere}) {
      if (sidecar != null) {
        sidecar.close();
      }
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

  /** What the support sidecar counted during the traffic, in its own exposition. */
  private static double counted(String metric, String... fragments) {
    String[] all = new String[fragments.length + 1];
    all[0] = "task=\"classify\"";
    System.arraycopy(fragments, 0, all, 1, fragments.length);
    return ClassifySidecar.sum(after, metric, all) - ClassifySidecar.sum(before, metric, all);
  }

  /** A Prometheus figure for what the sidecar counted: that much, and a little more. */
  private static void assertIncrease(double prometheusFigure, double sidecarCount) {
    assertThat(prometheusFigure).isBetween(sidecarCount * 0.999, sidecarCount * 1.15 + 1e-9);
  }

  @Test
  void theSidecarCountedTheTrafficAsDescribed() {
    assertThat(counted("aihandler_task_answers_total", "backend=\"claude\"", "role=\"primary\""))
        .isEqualTo(40);
    assertThat(counted("aihandler_task_answers_total", "backend=\"claude\"", "result=\"failed\""))
        .isEqualTo(1);
    assertThat(counted("aihandler_task_answers_total", "backend=\"none\"", "result=\"failed\""))
        .isEqualTo(1);
    assertThat(counted("aihandler_task_answers_total", "role=\"shadow\"", "valid_first_try"))
        .isEqualTo(33);
    assertThat(counted("aihandler_task_answers_total", "role=\"shadow\"", "valid_after_repair"))
        .isEqualTo(3);
    assertThat(counted("aihandler_task_answers_total", "role=\"shadow\"", "result=\"invalid\""))
        .isEqualTo(3);
    assertThat(counted("aihandler_task_data_classes_total", "data_class=\"internal+restricted\""))
        .isEqualTo(1);
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
    assertIncrease(claude, 40);
    double firstTry =
        value(answers, Map.of("backend", "claude", "role", "primary", "result", "valid_first_try"));
    assertThat(firstTry / claude).isCloseTo(39.0 / 40, within(0.01));
    double llama = value(answers, Map.of("backend", "llama-3-3-70b", "role", "shadow"));
    assertIncrease(llama, 39);
    double invalid = value(answers, Map.of("backend", "llama-3-3-70b", "result", "invalid"));
    assertIncrease(invalid, 3);
    assertIncrease(
        value(answers, Map.of("backend", "llama-3-3-70b", "result", "valid_after_repair")), 3);
    // The other namespace's failures are not here: only the support sidecar's one.
    assertIncrease(value(answers, Map.of("backend", "claude", "result", "failed")), 1);
    assertIncrease(value(answers, Map.of("backend", "none", "result", "failed")), 1);
    assertThat(value(answers, Map.of("backend", "claude", "result", "invalid"))).isZero();
  }

  @Test
  void tokensCostAndDurationsSumPerBackendAndRole() throws Exception {
    List<Sample> tokens = client.query(classify().tokens());
    assertIncrease(
        value(tokens, Map.of("backend", "claude", "role", "primary", "direction", "input")),
        counted(
            "aihandler_task_tokens_total",
            "backend=\"claude\"",
            "role=\"primary\"",
            "direction=\"input\""));
    assertIncrease(
        value(tokens, Map.of("backend", "claude", "direction", "input")),
        39 * ClassifySidecar.CLAUDE_INPUT);
    // A repaired or invalid shadow is two calls to the Llama.
    assertIncrease(
        value(tokens, Map.of("backend", "llama-3-3-70b", "role", "shadow", "direction", "output")),
        (33 + 2 * 6) * ClassifySidecar.LLAMA_OUTPUT);
    assertIncrease(
        value(client.query(classify().cost()), Map.of("backend", "claude", "role", "primary")),
        39 * ClassifySidecar.CLAUDE_COST);
    double seconds = value(client.query(classify().durationSum()), Map.of("backend", "claude"));
    double count = value(client.query(classify().durationCount()), Map.of("backend", "claude"));
    assertIncrease(count, 40);
    double sidecarMean =
        counted("aihandler_task_answer_duration_seconds_sum", "backend=\"claude\"")
            / counted("aihandler_task_answer_duration_seconds_count", "backend=\"claude\"");
    assertThat(seconds / count).isCloseTo(sidecarMean, within(sidecarMean * 0.1));
  }

  @Test
  void quantilesComeFromTheSidecarsBuckets() throws Exception {
    List<Sample> p50 = client.query(classify().latencyQuantile(0.5));
    List<Sample> p95 = client.query(classify().latencyQuantile(0.95));
    double claude = value(p50, Map.of("backend", "claude", "role", "primary"));
    double llama = value(p50, Map.of("backend", "llama-3-3-70b", "role", "shadow"));
    // claude takes 30 ms and the Llama 120 ms a call (twice that when it repairs): the sidecar's
    // buckets hold them apart.
    assertThat(claude).isBetween(0.025, 0.1);
    assertThat(llama).isBetween(0.1, 0.25);
    assertThat(value(p95, Map.of("backend", "llama-3-3-70b", "role", "shadow")))
        .isGreaterThanOrEqualTo(llama);
  }

  @Test
  void agreementSkipsAndDataClassesCount() throws Exception {
    List<Sample> agreement = client.query(classify().agreement());
    // 30 agreeing and 3 repaired answers equal the primary's; 3 have another priority.
    double agree = value(agreement, Map.of("measure", "exact", "result", "agree"));
    assertIncrease(agree, 33);
    assertIncrease(value(agreement, Map.of("measure", "exact", "result", "disagree")), 3);
    assertIncrease(value(agreement, Map.of("measure", "field", "result", "agree")), 33 * 3 + 3 * 2);
    assertIncrease(value(agreement, Map.of("measure", "field", "result", "disagree")), 3);
    // The failed request and the one claude could not serve have nothing to compare with.
    assertIncrease(
        value(client.query(classify().skipped()), Map.of("reason", "primary_failed")), 2);
    List<Sample> classes = client.query(classify().dataClasses());
    assertIncrease(value(classes, Map.of("data_class", "internal")), 40);
    // A request's effective class is every class that applies to it.
    assertIncrease(value(classes, Map.of("data_class", "internal+restricted")), 1);
  }

  @Test
  void theObservedSpanIsHowLongTheTaskHasHadSeriesNotTheWholeWindow() throws Exception {
    List<Sample> span = client.query(classify().observedSeconds());
    double elapsed = (System.currentTimeMillis() - startedAt) / 1000.0;
    assertThat(span).singleElement();
    assertThat(span.getFirst().value()).isBetween(elapsed - 3, elapsed + 3);
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
    assertThat(economics.current().answers().firstTryRate()).isCloseTo(39.0 / 40, within(0.01));
    BackendEconomics llama =
        economics.backends().stream()
            .filter(b -> b.name().equals("llama-3-3-70b"))
            .findFirst()
            .orElseThrow();
    assertThat(llama.answers().firstTryRate()).isCloseTo(33.0 / 39, within(0.03));
    assertThat(llama.exactAgreement()).isCloseTo(33.0 / 36, within(0.03));
    assertThat(llama.inputPerRequest()).isGreaterThanOrEqualTo(ClassifySidecar.LLAMA_INPUT);
    assertThat(llama.meanSeconds()).isGreaterThan(0.1);
    assertThat(economics.monthFactor()).isGreaterThan(30.0 * 86_400 / WINDOW.toSeconds());
  }
}
