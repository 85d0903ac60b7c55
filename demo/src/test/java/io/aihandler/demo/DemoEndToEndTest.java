package io.aihandler.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's whole flow in-process, as {@code bash demo/run.sh} runs it: each scene's facts are
 * asserted from the report (not from the printed text), and the printed text is checked for the one
 * thing it must never hold, the keys.
 */
class DemoEndToEndTest {

  private static DemoReport report;
  private static DemoKeys keys;
  private static List<String> tokens;
  private static String printed;

  @BeforeAll
  static void runTheDemo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EmbeddedDemo demo =
        new EmbeddedDemo(new DemoConsole(new PrintStream(out, true, StandardCharsets.UTF_8), 8))) {
      report = demo.play();
      keys = demo.keys();
      tokens = demo.serviceAccountTokens();
    }
    printed = out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void startsTheApiServerWithTheCrdsAndTheOperator() {
    assertThat(report.startup().crds())
        .containsExactly(
            "modelbackends.aihandler.io", "routingpolicies.aihandler.io", "workflows.aihandler.io");
    assertThat(report.startup().webhookPort()).isPositive();
    assertThat(report.startup().metricsPort())
        .isPositive()
        .isNotEqualTo(report.startup().webhookPort());
  }

  @Test
  void appliesTheExamplesAndTheOperatorBuildsEverythingReady() {
    assertThat(report.applied().applied())
        .contains(
            "Namespace llm-platform",
            "Secret llm-platform/anthropic-api-key",
            "ModelBackend llm-platform/llama-3-3-70b",
            "RoutingPolicy support/support-routing",
            "Workflow support/support-tickets",
            "Deployment support/support-app");
    DemoReport.VllmWorkload vllm = report.applied().vllm();
    assertThat(vllm.deployment()).isEqualTo("llama-3-3-70b");
    assertThat(vllm.replicas()).isEqualTo(1); // scaling.minReplicas
    assertThat(vllm.gpus()).isEqualTo("4");
    assertThat(vllm.servicePort()).isEqualTo(8000);
    assertThat(vllm.cacheSize()).isEqualTo("200Gi");
    assertThat(vllm.disruptionBudget()).isEqualTo("llama-3-3-70b");
    assertThat(vllm.endpoint()).isEqualTo("http://llama-3-3-70b.llm-platform.svc:8000/v1");
    assertThat(report.applied().credentialEntries())
        .containsExactly(
            "llm-platform.claude",
            "llm-platform.gemini-flash",
            "llm-platform.gpt-4o",
            "llm-platform.text-embedding-3-small");
    assertThat(report.applied().configMap()).isEqualTo("support-tickets-router");
    assertThat(report.applied().configHash()).isNotBlank();
    assertThat(report.applied().ready())
        .hasSize(8)
        .allSatisfy((resource, ready) -> assertThat(ready).as(resource).isEqualTo("True"));
  }

  @Test
  void theWebhookInjectsANativeSidecarAndTheLocalMappingIsExplicit() {
    DemoReport.Injection injection = report.injection();
    assertThat(injection.sidecar()).isEqualTo("aihandler-router");
    assertThat(injection.nativeSidecar()).isTrue();
    assertThat(injection.volumes())
        .anySatisfy(v -> assertThat(v).contains("ConfigMap support-tickets-router"))
        .anySatisfy(v -> assertThat(v).contains("Secret support-tickets-credentials"));
    assertThat(injection.openAiBaseUrl()).isEqualTo("http://127.0.0.1:4080/v1");
    assertThat(injection.mappings())
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith(
                        "backends[llama-3-3-70b].baseUrl http://llama-3-3-70b.llm-platform.svc:8000/v1 -> "))
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith(
                        "backends[claude].credentials.file /etc/aihandler/credentials/llm-platform.claude -> "));
  }

  @Test
  void routesEachRequestAndValidatesStructuredOutput() {
    assertThat(report.structured().backend()).isEqualTo("llama-3-3-70b");
    assertThat(report.structured().valid()).isTrue();
    assertThat(report.structured().output().path("category").asText()).isEqualTo("billing");
    assertThat(report.exchanges())
        .filteredOn(e -> e.scene().equals("routing"))
        .extracting(
            DemoReport.Exchange::client, DemoReport.Exchange::model, DemoReport.Exchange::backend)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("openai-sdk", "reasoning", "claude"),
            org.assertj.core.groups.Tuple.tuple("openai-sdk", "gemini-flash", "gemini-flash"));
    // One request is refused on purpose: the restricted embedding batch on a hosted-only route.
    assertThat(report.exchanges())
        .filteredOn(
            e ->
                !(e.scene().equals("embeddings")
                    && e.model().equals("embed-articles")
                    && e.status() == 403))
        .allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
    assertThat(report.exchanges()).filteredOn(e -> e.status() != 200).hasSize(1);
  }

  @Test
  void embedsRestrictedBatchesInTheClusterOnly() {
    assertThat(report.embeddings().restrictedBackend()).isEqualTo("bge-m3");
    assertThat(report.embeddings().restrictedVectors()).isEqualTo(3);
    assertThat(report.embeddings().dimensions()).isEqualTo(1024);
    assertThat(report.embeddings().internalBackend()).isEqualTo("text-embedding-3-small");
    assertThat(report.embeddings().blockedStatus()).isEqualTo(403);
    assertThat(report.embeddings().restrictedDataOutside()).isFalse();
  }

  @Test
  void answersTheResponsesApiWithOutputValidatedAgainstTheAppsSchema() {
    assertThat(report.responses().id()).startsWith("resp_");
    assertThat(report.responses().backend()).isEqualTo("llama-3-3-70b");
    assertThat(report.responses().attempts()).isEqualTo(2);
    assertThat(report.responses().output().path("category").asText()).isEqualTo("billing");
  }

  @Test
  void keepsRestrictedDataInTheCluster() {
    assertThat(report.restricted().backends()).containsExactly("llama-3-3-70b", "llama-3-3-70b");
    assertThat(report.restricted().externalCallsDuring()).isZero();
    assertThat(report.restricted().restrictedDataOutside()).isFalse();
  }

  @Test
  void fallsBackWhenClaudeIsOverloaded() {
    assertThat(report.fallback().refusedByFirst()).isGreaterThanOrEqualTo(1);
    assertThat(report.fallback().backend()).isEqualTo("gpt-4o");
    assertThat(report.fallback().attempts()).isEqualTo(report.fallback().refusedByFirst() + 1);
  }

  @Test
  void repairsInvalidOutputWithAReaskQuotingTheErrors() {
    assertThat(report.repair().backend()).isEqualTo("llama-3-3-70b");
    assertThat(report.repair().attempts()).isEqualTo(2);
    assertThat(report.repair().modelCalls()).isEqualTo(2);
    assertThat(report.repair().reask()).contains("priority");
    assertThat(List.of("low", "normal", "high", "urgent"))
        .contains(report.repair().output().path("priority").asText());
    assertThat(report.repair().output().has("notes")).isFalse();
  }

  @Test
  void showsTheMetricsOfSidecarAndOperator() {
    assertThat(report.metrics().sidecar())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("aihandler_fallbacks_total")
                    .contains("backend=\"claude\"", "route=\"reasoning\""))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("aihandler_repair_attempts_total")
                    .contains("classify-ticket"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("aihandler_data_policy_blocks_total")
                    .contains("backend=\"gpt-4o\""));
    assertThat(report.metrics().operator())
        .anySatisfy(l -> assertThat(l).contains("kind=\"Workflow\""));
  }

  @Test
  void theShadowEvaluationEitherAdvisesOrSaysWhyNotAndPutsTheExamplesBack() {
    ShadowEvaluationScene.Outcome shadow = report.shadow();
    if (shadow.evaluated()
        && io.aihandler.testing.prometheus.PrometheusServer.binary().isPresent()) {
      assertThat(shadow.verdict()).isIn("open", "closed", "mixed");
      assertThat(shadow.candidate()).startsWith("llama-3-3-70b: ");
      assertThat(printed).contains("best candidate: llama-3-3-70b: ");
    } else if (!shadow.evaluated()) {
      assertThat(printed).contains("skipped: the operator did not publish the evaluation");
    } else {
      assertThat(printed).contains("apt-get install -y prometheus");
    }
    assertThat(printed).contains("the examples' Git state is back");
  }

  @Test
  void wakesTheBackendFromZeroHoldsRestrictedRequestsAndSpillsOverTheRest() {
    ColdStartScene.Outcome cold = report.coldStart();
    // Idle by design: Ready stays True, with a reason that says why no pod runs.
    assertThat(cold.readyAtZero()).isEqualTo("True ScaledToZero");
    assertThat(cold.held().backend()).isEqualTo("llama-3-3-70b");
    assertThat(cold.held().status()).isEqualTo(200);
    assertThat(cold.heldFor()).isGreaterThanOrEqualTo(ColdStartScene.LOAD_TIME);
    assertThat(cold.spilled().backend()).isEqualTo("gemini-flash");
    assertThat(cold.spilled().status()).isEqualTo(200);
    assertThat(cold.spillOverLatency()).isLessThan(ColdStartScene.LOAD_TIME);
    assertThat(cold.restrictedAtExternal()).isZero();

    List<String> timeline = cold.timeline();
    int activation = indexOf(timeline, "operator: activation accepted");
    int started = indexOf(timeline, "kubelet: pod llama-3-3-70b-0 started");
    int ready = indexOf(timeline, "kubelet: pod llama-3-3-70b-0 ready");
    int spilled = indexOf(timeline, "sidecar: internal request answered");
    int held = indexOf(timeline, "sidecar: held restricted request answered");
    assertThat(activation).isLessThan(started);
    assertThat(started).isLessThan(spilled).isLessThan(ready);
    assertThat(ready).isLessThan(held);
    assertThat(timeline.getLast()).isEqualTo("operator: scaled to zero");
    assertThat(timeline.stream().filter(t -> t.equals("operator: scaled to zero"))).hasSize(2);

    assertThat(cold.scalingHistory()).endsWith(0, 1, 0);
    assertThat(cold.events().stream().filter(e -> e.contains("Scaled from 1 to 0"))).hasSize(2);
    assertThat(cold.events())
        .anyMatch(e -> e.startsWith("ScaledToZero"))
        .anyMatch(e -> e.startsWith("ScaledFromZero"));
    assertThat(cold.sidecarMetrics())
        .anyMatch(
            l ->
                l.startsWith("aihandler_spillovers_total")
                    && l.contains("reason=\"scaled_to_zero\"")
                    && l.contains("to=\"gemini-flash\""))
        .anyMatch(l -> l.startsWith("aihandler_holds_total") && l.contains("outcome=\"served\""))
        .anyMatch(
            l -> l.startsWith("aihandler_activations_total") && l.contains("result=\"accepted\""));
    assertThat(cold.operatorMetrics())
        .anyMatch(
            l ->
                l.startsWith("aihandler_operator_activations_total")
                    && l.contains("namespace=\"support\"")
                    && l.contains("result=\"accepted\""));
  }

  private static int indexOf(List<String> timeline, String prefix) {
    for (int i = 0; i < timeline.size(); i++) {
      if (timeline.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("the timeline has no " + prefix + ": " + timeline);
  }

  @Test
  void neverPrintsAKey() {
    assertThat(printed).contains("8/8  Summary");
    assertThat(tokens).isNotEmpty();
    for (String key : Stream.concat(keys.all().stream(), tokens.stream()).toList()) {
      assertThat(printed).doesNotContain(key);
    }
    assertThat(printed)
        .doesNotContain("sk-ant-demo-")
        .doesNotContain("sk-demo-openai-")
        .doesNotContain("AIza-demo-");
  }
}
