package io.aihandler.controllers.spillover;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ModelBackendStatus;
import io.aihandler.api.v1alpha1.SpillOverFigures;
import io.aihandler.controllers.advisor.AdvisorSettings;
import io.aihandler.controllers.advisor.PrometheusClient;
import io.aihandler.controllers.autoscaling.VllmAutoscaler;
import io.aihandler.controllers.modelbackend.ModelBackendReconciler;
import io.aihandler.controllers.modelbackend.ModelBackendReconcilerSettings;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.testing.prometheus.PrometheusServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The spill-over reporter next to the ModelBackend reconciler, as the operator runs them, on
 * fabric8's CRUD mock with the SSA shim, reading a real Prometheus that scrapes stand-in sidecar
 * expositions labelled with their namespace.
 *
 * <p>Two vLLM backends share the name llama ({@code models/llama}, {@code team-b/llama}). Sidecars
 * in {@code support} route to the first under the bare name; in {@code team-b} to the second; in
 * {@code mixed} one policy routes to both, so the configs qualify them; in {@code shared} two
 * policies route to one each under the bare name, so a bare {@code llama} there is either. Each
 * backend's figures are its own series only, and the shared namespace's are counted for neither.
 *
 * <p>{@code increase()} extrapolates a little past the last sample: with ten samples or more of
 * each series, each figure lies between what the sidecars counted and an eighth more; the tests
 * allow 15%.
 */
class SpilloverReporterTest {

  private static final String OBJECTS =
      """
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama, namespace: models}
      spec:
        vllm: {model: "hf://meta-llama/Llama-3.1-8B-Instruct"}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: llama, namespace: team-b}
      spec:
        vllm: {model: "hf://meta-llama/Llama-3.1-8B-Instruct"}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: quiet, namespace: models}
      spec:
        vllm:
          model: "hf://Qwen/Qwen3-8B"
          scaling: {minReplicas: 1, maxReplicas: 2, metric: queue, target: 5}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: ModelBackend
      metadata: {name: gemini, namespace: models}
      spec:
        hosted: {provider: openai-compatible, model: gemini-2.5-flash,
                 baseUrl: "https://llm.example.com/v1"}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: RoutingPolicy
      metadata: {name: routing, namespace: support}
      spec:
        routes:
        - name: classification
          targets:
          - backend: {name: llama, namespace: models}
          - backend: {name: gemini, namespace: models}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: RoutingPolicy
      metadata: {name: routing, namespace: team-b}
      spec:
        routes:
        - name: chat
          targets:
          - backend: {name: llama}
          - backend: {name: gemini, namespace: models}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: RoutingPolicy
      metadata: {name: routing, namespace: mixed}
      spec:
        routes:
        - name: a
          targets:
          - backend: {name: llama, namespace: models}
        - name: b
          targets:
          - backend: {name: llama, namespace: team-b}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: RoutingPolicy
      metadata: {name: one, namespace: shared}
      spec:
        routes:
        - name: chat
          targets:
          - backend: {name: llama, namespace: models}
      ---
      apiVersion: aihandler.io/v1alpha1
      kind: RoutingPolicy
      metadata: {name: two, namespace: shared}
      spec:
        routes:
        - name: chat
          targets:
          - backend: {name: llama, namespace: team-b}
      """;

  private static final Duration REFRESH = Duration.ofSeconds(2);
  private static final int MIN_SAMPLES = 10;
  private static final List<SpilloverExposition> SIDECARS = new ArrayList<>();
  private static PrometheusServer prometheus;

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;

  /**
   * The sidecars' series exist at zero before the first scrape (increase() does not count what a
   * series held at its first sample), then count their spill-overs.
   */
  @BeforeAll
  static void scrapeTheSidecars() throws Exception {
    PrometheusServer.require(PrometheusServer.binary(), "prometheus");
    Map<String, SpilloverExposition> byNamespace = new LinkedHashMap<>();
    for (String namespace : List.of("support", "team-b", "mixed", "shared")) {
      SpilloverExposition sidecar = new SpilloverExposition();
      SIDECARS.add(sidecar);
      byNamespace.put(namespace, sidecar);
    }
    counts(byNamespace, 0);
    Map<String, Map<String, String>> targets = new LinkedHashMap<>();
    byNamespace.forEach((namespace, s) -> targets.put(s.target(), Map.of("namespace", namespace)));
    prometheus = PrometheusServer.startLabelled("/metrics", targets, List.of());
    prometheus.awaitUp(Duration.ofSeconds(30));
    prometheus.awaitFreshScrape();
    counts(byNamespace, 1);
    awaitSamplesEnoughForTheTolerance();
  }

  /**
   * {@code increase()} extrapolates past the last sample by up to 1.1 scrape intervals, which over
   * n samples adds up to 1.1/(n-1) of the figure: with two samples after the step, 50% and more.
   * Ten samples of every series bound it at 12%, inside the tests' 15%, whichever test runs first.
   */
  private static void awaitSamplesEnoughForTheTolerance() {
    String fewest = "min(count_over_time(aihandler_spillovers_total[1h]))";
    Eventually.await(
        "ten samples of every spill-over series",
        Duration.ofSeconds(30),
        () -> prometheus.scalar(fewest) >= MIN_SAMPLES);
  }

  private static void counts(Map<String, SpilloverExposition> sidecars, int times) {
    sidecars.get("support").set("classification", "llama", "gemini", 3 * times, 1.5 * times);
    sidecars.get("team-b").set("chat", "llama", "gemini", 5 * times, 7.0 * times);
    sidecars
        .get("mixed")
        .set("a", "models.llama", "gemini", times, 0.25 * times)
        .set("b", "team-b.llama", "gemini", 2 * times, 3.0 * times);
    sidecars.get("shared").set("chat", "llama", "gemini", 4 * times, 9.0 * times);
  }

  @AfterAll
  static void stopScraping() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    SIDECARS.forEach(SpilloverExposition::close);
  }

  @BeforeEach
  void applyTheObjects() {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    for (String document : OBJECTS.split("(?m)^---$")) {
      client
          .resource(client.getKubernetesSerialization().unmarshal(document, HasMetadata.class))
          .create();
    }
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  private void run(AdvisorSettings settings) {
    operator =
        RunningOperator.startAll(
            api,
            List.of(
                // The autoscaled backend is reconciled five times a second.
                new ModelBackendReconciler(
                    new ModelBackendReconcilerSettings(
                        Clock.systemUTC(),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1),
                        VllmAutoscaler::podIpMetricsUrl)),
                new SpilloverReporter(Clock.systemUTC(), settings)));
  }

  private static AdvisorSettings reading(URI url) {
    return AdvisorSettings.defaults()
        .withPrometheus(url)
        .withWindow(Duration.ofMinutes(10), REFRESH, "namespace");
  }

  @Test
  void eachBackendCountsOnlyTheSeriesThatAreItsOwn() {
    run(reading(prometheus.url()));

    Eventually.await(
        "both llamas measured",
        Duration.ofSeconds(20),
        () ->
            status("models", "llama").getSpillOver() != null
                && status("team-b", "llama").getSpillOver() != null);

    // support's bare llama and mixed's models.llama; not team-b's nor shared's.
    ModelBackendStatus platform = status("models", "llama");
    assertFigures(platform.getSpillOver().last7d(), 3 + 1, 1.5 + 0.25);
    // Every spill-over was within the day too (each window's increase() extrapolates on its own).
    assertFigures(platform.getSpillOver().last24h(), 3 + 1, 1.5 + 0.25);
    Condition measured = condition(platform, Conditions.SPILL_OVER_MEASURED).orElseThrow();
    assertThat(measured.getStatus()).isEqualTo("True");
    assertThat(measured.getReason()).isEqualTo(SpilloverReporter.MEASURED);
    assertThat(measured.getMessage())
        .startsWith("from Prometheus at http://127.0.0.1:")
        .contains(", the last 24h and 7d, measured every 2s: ")
        .endsWith(
            "from=\"models.llama\" in any namespace and from=\"llama\" in namespace support;"
                + " not counted, since they may be another backend's: from=\"llama\" in"
                + " namespaces mixed, shared, which route to more than one backend of that name");

    // team-b's bare llama and mixed's team-b.llama.
    assertFigures(status("team-b", "llama").getSpillOver().last7d(), 5 + 2, 7.0 + 3.0);

    // Next to the reconciler's status, which neither writer drops.
    Eventually.await(
        "Ready from the reconciler",
        () -> condition(status("models", "llama"), Conditions.READY).isPresent());
    assertThat(condition(status("models", "llama"), Conditions.SPILL_OVER_MEASURED)).isPresent();
    assertThat(status("models", "llama").getSpillOver()).isNotNull();
    assertThat(status("models", "llama").getEndpoint())
        .isEqualTo("http://llama.models.svc:8000/v1");

    // Nothing spills over from a hosted backend: the reporter leaves it alone.
    assertThat(status("models", "gemini").getSpillOver()).isNull();
    assertThat(condition(status("models", "gemini"), Conditions.SPILL_OVER_MEASURED)).isEmpty();
    assertThat(reporterWrites("models", "gemini")).isZero();
  }

  @Test
  void figuresThatStayTheSameAreNotWrittenAgain() throws Exception {
    run(reading(prometheus.url()));
    Eventually.await(
        "the quiet backend measured and reconciled",
        Duration.ofSeconds(20),
        () ->
            status("models", "quiet").getSpillOver() != null
                && condition(status("models", "quiet"), Conditions.READY).isPresent());
    assertThat(status("models", "quiet").getSpillOver().last7d())
        .isEqualTo(new SpillOverFigures(0L, 0.0));
    assertThat(status("models", "quiet").getSpillOver().last24h())
        .isEqualTo(new SpillOverFigures(0L, 0.0));
    assertThat(reporterWrites("models", "quiet")).isEqualTo(1);

    // Measured again at every refresh, written never; nor does the reconciler, which reconciles
    // the autoscaled backend five times a second, take the reporter's fields for a change of its
    // own.
    long[] settled = {-1};
    Eventually.await(
        "the reconciler's first writes done",
        () -> {
          long before = statusWrites("models", "quiet");
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          settled[0] = statusWrites("models", "quiet");
          return settled[0] == before;
        });
    long writes = settled[0];
    Thread.sleep(REFRESH.multipliedBy(3).toMillis());
    assertThat(reporterWrites("models", "quiet")).isEqualTo(1);
    assertThat(statusWrites("models", "quiet")).isEqualTo(writes);
  }

  @Test
  void withoutAPrometheusTheConditionSaysSoOnceAndNoFiguresAreShown() throws Exception {
    run(AdvisorSettings.defaults());

    Eventually.await(
        "SpillOverMeasured",
        () -> condition(status("models", "llama"), Conditions.SPILL_OVER_MEASURED).isPresent());
    Condition condition =
        condition(status("models", "llama"), Conditions.SPILL_OVER_MEASURED).orElseThrow();
    assertThat(condition.getStatus()).isEqualTo("False");
    assertThat(condition.getReason()).isEqualTo("NoMetricsSource");
    assertThat(condition.getMessage()).contains("advisor.prometheusUrl");
    assertThat(status("models", "llama").getSpillOver()).isNull();

    Thread.sleep(REFRESH.multipliedBy(2).toMillis());
    assertThat(reporterWrites("models", "llama")).isEqualTo(1);
  }

  @Test
  void aPrometheusThatGoesAwayTakesTheFiguresWithIt() throws Exception {
    Map<String, Map<String, String>> targets = new LinkedHashMap<>();
    targets.put(SIDECARS.getFirst().target(), Map.of("namespace", "support"));
    PrometheusServer own = PrometheusServer.startLabelled("/metrics", targets, List.of());
    URI url = own.url();
    try {
      own.awaitUp(Duration.ofSeconds(30));
      run(reading(url));
      Eventually.await(
          "measured",
          Duration.ofSeconds(20),
          () -> status("models", "llama").getSpillOver() != null);
    } finally {
      own.close();
    }

    Eventually.await(
        "PrometheusUnreachable, no figures",
        Duration.ofSeconds(20),
        () ->
            condition(status("models", "llama"), Conditions.SPILL_OVER_MEASURED)
                    .map(c -> c.getReason().equals("PrometheusUnreachable"))
                    .orElse(false)
                && status("models", "llama").getSpillOver() == null);
    Condition unreachable =
        condition(status("models", "llama"), Conditions.SPILL_OVER_MEASURED).orElseThrow();
    assertThat(unreachable.getStatus()).isEqualTo("False");
    assertThat(unreachable.getMessage())
        .isEqualTo(
            "Prometheus at http://127.0.0.1:"
                + url.getPort()
                + " is unreachable (ConnectException)");

    // Still unreachable at the next refreshes: the same condition, no write.
    long writes = reporterWrites("models", "llama");
    Thread.sleep(REFRESH.multipliedBy(2).toMillis());
    assertThat(reporterWrites("models", "llama")).isEqualTo(writes);
  }

  /** The query's other shapes, as Prometheus reads them: each selects what its selection says. */
  @Test
  void everyShapeOfTheQueryIsPromqlThatPrometheusAnswers() throws Exception {
    PrometheusClient reader =
        new PrometheusClient(prometheus.url(), Duration.ofSeconds(10), 1 << 20);
    Duration week = Duration.ofDays(7);
    // The qualified name anywhere but mixed; the bare one in support.
    SpilloverSelection except =
        new SpilloverSelection(
            "models.llama",
            "llama",
            "namespace",
            true,
            List.of("mixed"),
            List.of("support"),
            false,
            List.of());
    assertThat(sum(reader, new SpilloverQueries(except, week).requests())).isBetween(3.0, 3.45);
    // No namespace label and no other llama: the bare name everywhere, and mixed's qualified one.
    SpilloverSelection everywhere =
        new SpilloverSelection(
            "models.llama", "llama", "", true, List.of(), List.of(), true, List.of());
    assertThat(sum(reader, new SpilloverQueries(everywhere, week).requests()))
        .isBetween(13.0, 13 * 1.15);
    // Nothing is the backend's for sure: no sample at all.
    SpilloverSelection nothing =
        new SpilloverSelection(
            "models.llama", "llama", "", false, List.of("x"), List.of(), false, List.of("support"));
    assertThat(reader.query(new SpilloverQueries(nothing, week).cost())).isEmpty();
  }

  private static double sum(PrometheusClient reader, String promql) throws Exception {
    List<PrometheusClient.Sample> samples = reader.query(promql);
    assertThat(samples).as(promql).hasSize(1);
    return samples.getFirst().value();
  }

  private static void assertFigures(SpillOverFigures figures, long requests, double costUsd) {
    assertThat(figures.requests()).isBetween(requests, Math.round(requests * 1.15));
    assertThat(figures.costUsd()).isBetween(costUsd, costUsd * 1.15);
  }

  private ModelBackendStatus status(String namespace, String name) {
    ModelBackend backend =
        client.resources(ModelBackend.class).inNamespace(namespace).withName(name).get();
    return backend.getStatus() == null ? new ModelBackendStatus() : backend.getStatus();
  }

  private static Optional<Condition> condition(ModelBackendStatus status, String type) {
    return Conditions.lookup(status.getConditions(), type);
  }

  private long reporterWrites(String namespace, String name) {
    return api.writes().stream()
        .filter(
            w ->
                w.path().contains("/namespaces/" + namespace + "/modelbackends/" + name + "/status")
                    && w.path().contains("fieldManager=" + SpilloverReporter.NAME))
        .count();
  }

  private long statusWrites(String namespace, String name) {
    return api.writes().stream()
        .filter(
            w ->
                w.path()
                    .contains("/namespaces/" + namespace + "/modelbackends/" + name + "/status"))
        .count();
  }
}
