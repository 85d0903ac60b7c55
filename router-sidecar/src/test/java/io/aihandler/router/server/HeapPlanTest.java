package io.aihandler.router.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.SidecarSettings;
import org.junit.jupiter.api.Test;

class HeapPlanTest {

  private static final long MIB = 1024 * 1024;

  /** What -Xmx32m with the serial collector reports as the maximum heap. */
  private static final long LAUNCHER_HEAP = 32_440_320;

  private static SidecarSettings settings(Long maxRequestBytes, Integer maxConnections) {
    return settings(maxRequestBytes, maxConnections, null);
  }

  private static SidecarSettings settings(
      Long maxRequestBytes, Integer maxConnections, Long responsesStoreBytes) {
    return new SidecarSettings(
        null,
        null,
        null,
        null,
        maxRequestBytes,
        null,
        null,
        null,
        null,
        maxConnections,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        responsesStoreBytes,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void theDefaultsFitTheLaunchersHeap() {
    SidecarSettings defaults = SidecarSettings.DEFAULTS;
    HeapPlan plan = HeapPlan.of(defaults, LAUNCHER_HEAP);
    assertThat(plan.problems(defaults)).isEmpty();
    assertThat(plan.bodies()).isGreaterThanOrEqualTo(HeapPlan.largestRequest(defaults));
  }

  @Test
  void requestsTooLargeForTheHeapAreRefusedWithTheNumbers() {
    SidecarSettings big = settings(8 * MIB, null);
    assertThat(HeapPlan.of(big, LAUNCHER_HEAP).problems(big))
        .singleElement()
        .asString()
        .contains("maxRequestBytes 8388608")
        .contains("-Xmx");
    assertThat(HeapPlan.of(big, 256 * MIB).problems(big)).isEmpty();
  }

  @Test
  void connectionsTakeTheirShare() {
    SidecarSettings many = settings(null, 2_000);
    assertThat(HeapPlan.of(many, LAUNCHER_HEAP).problems(many))
        .singleElement()
        .asString()
        .contains("maxConnections 2000");
  }

  @Test
  void elevenHundredConnectionsFitTheBenchmarksHeap() {
    // bench/run.sh gives its 1,000-idle-connections target -Xmx64m (BENCH_CONNECTIONS_HEAP) for
    // maxConnections 1,100; the serial collector reports 96.7% of -Xmx as the maximum heap.
    SidecarSettings many = settings(null, 1_100);
    assertThat(HeapPlan.of(many, LAUNCHER_HEAP / 32 * 64).problems(many)).isEmpty();
    assertThat(HeapPlan.of(many, LAUNCHER_HEAP / 32 * 56).problems(many))
        .singleElement()
        .asString()
        .contains("maxConnections 1100");
  }

  @Test
  void theResponsesStoreIsReservedOutOfTheHeap() {
    SidecarSettings defaults = SidecarSettings.DEFAULTS;
    HeapPlan plan = HeapPlan.of(defaults, LAUNCHER_HEAP);
    assertThat(plan.responsesStore()).isEqualTo(512 * 1024);
    assertThat(plan.heap() - plan.bodies())
        .isEqualTo(HeapPlan.BASELINE + plan.connections() + plan.responsesStore() + plan.shadows());
    SidecarSettings bigStore = settings(null, null, 8 * MIB);
    assertThat(HeapPlan.of(bigStore, LAUNCHER_HEAP).problems(bigStore))
        .singleElement()
        .asString()
        .contains("8.0 MiB for responsesStoreBytes");
    assertThat(HeapPlan.of(bigStore, 64 * MIB).problems(bigStore)).isEmpty();
  }

  @Test
  void theShadowHeapIsReservedOnlyWhenATaskEvaluates() throws Exception {
    String doc =
        """
        backends:
          - {name: gpt, provider: openai-compatible, baseUrl: "https://api.openai.com/v1", model: gpt-4o}
          - {name: llama, provider: vllm, baseUrl: "http://llama:8000/v1", model: llama}
        routes:
          - {name: main, targets: [{backend: gpt}]}
        tasks:
          - name: classify
            route: main
            %s
        """;
    io.aihandler.router.config.RouterConfig plain =
        io.aihandler.router.config.RouterConfigLoader.parse(doc.formatted(""), "plain.yaml");
    io.aihandler.router.config.RouterConfig evaluating =
        io.aihandler.router.config.RouterConfigLoader.parse(
            doc.formatted("evaluate: {candidates: [{backend: llama, sampleRate: 0.1}]}"),
            "eval.yaml");

    assertThat(HeapPlan.of(plain, LAUNCHER_HEAP).shadows()).isZero();
    HeapPlan plan = HeapPlan.of(evaluating, LAUNCHER_HEAP);
    assertThat(plan.shadows()).isEqualTo(MIB);
    assertThat(plan.heap() - plan.bodies())
        .isEqualTo(HeapPlan.BASELINE + plan.connections() + plan.responsesStore() + MIB);
    // A heap that holds the plain document with half a MiB to spare refuses the evaluating one.
    long tight =
        HeapPlan.BASELINE
            + plan.connections()
            + plan.responsesStore()
            + HeapPlan.largestRequest(evaluating.sidecar())
            + MIB / 2;
    assertThat(HeapPlan.of(plain, tight).problems(plain.sidecar())).isEmpty();
    assertThat(HeapPlan.of(evaluating, tight).problems(evaluating.sidecar()))
        .singleElement()
        .asString()
        .contains("1.0 MiB for shadowMemoryBytes");
    // The launcher's 32 MiB hold it beside the other defaults.
    assertThat(plan.problems(evaluating.sidecar())).isEmpty();
  }
}
