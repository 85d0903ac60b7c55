package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.aihandler.testing.prometheus.MonitoringPack;
import io.aihandler.testing.prometheus.PrometheusServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's monitoring pack: each part renders only when asked for, validates against its
 * upstream CRD schema, ships the files of {@code files/} unchanged, and its rules pass {@code
 * promtool check rules} and the alert unit tests of {@code promtool test rules}.
 */
class MonitoringPackTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MonitoringPack PACK = MonitoringPack.locate();
  private static final Map<String, Object> EVERYTHING =
      Map.of(
          "monitoring.serviceMonitor.enabled", true,
          "monitoring.podMonitor.enabled", true,
          "monitoring.prometheusRule.enabled", true,
          "monitoring.dashboard.enabled", true);

  static Stream<Arguments> parts() {
    return Stream.of(
        Arguments.of("monitoring.serviceMonitor.enabled", "ServiceMonitor", "aihandler"),
        Arguments.of("monitoring.podMonitor.enabled", "PodMonitor", "aihandler-sidecars"),
        Arguments.of("monitoring.prometheusRule.enabled", "PrometheusRule", "aihandler"),
        Arguments.of("monitoring.dashboard.enabled", "ConfigMap", "aihandler-dashboard"));
  }

  @Test
  void nothingOfThePackRendersByDefault() {
    ChartRenderer.Rendered rendered = ChartRenderer.render();
    assertThat(rendered.ofKind("ServiceMonitor")).isEmpty();
    assertThat(rendered.ofKind("PodMonitor")).isEmpty();
    assertThat(rendered.ofKind("PrometheusRule")).isEmpty();
    assertThat(rendered.find("ConfigMap", "aihandler-dashboard")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parts")
  void eachPartRendersAloneAndIsValidAgainstItsSchema(String value, String kind, String name) {
    ChartRenderer.Rendered off = ChartRenderer.render();
    ChartRenderer.Rendered on =
        ChartRenderer.render(Map.of(value, true, "monitoring.labels.release", "kube-prometheus"));
    assertThat(on.objects()).hasSize(off.objects().size() + 1);
    JsonNode part = on.find(kind, name).orElseThrow();
    assertThat(part.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText())
        .isEqualTo("aihandler");
    if (!kind.equals("ConfigMap")) {
      assertThat(part.path("metadata").path("labels").path("release").asText())
          .isEqualTo("kube-prometheus");
      assertThat(thirdParty().validate(part)).isEmpty();
    }
  }

  @Test
  void theWholePackValidatesAgainstTheCrdSchemasWithScopedNamespacesAndExtraLabels() {
    Map<String, Object> values = new java.util.HashMap<>(EVERYTHING);
    values.put("monitoring.podMonitor.namespaces[0]", "shop");
    values.put("monitoring.podMonitor.namespaces[1]", "support");
    values.put("monitoring.podMonitor.labels.team", "platform");
    values.put("monitoring.prometheusRule.labels.role", "alert-rules");
    values.put("monitoring.serviceMonitor.interval", "15s");
    ChartRenderer.Rendered rendered = ChartRenderer.render(values);
    List<String> errors = new ArrayList<>();
    for (String kind : List.of("ServiceMonitor", "PodMonitor", "PrometheusRule")) {
      errors.addAll(thirdParty().validate(rendered.single(kind)));
    }
    assertThat(errors).isEmpty();
    JsonNode pod = rendered.single("PodMonitor");
    assertThat(pod.path("spec").path("namespaceSelector").path("matchNames"))
        .extracting(JsonNode::asText)
        .containsExactly("shop", "support");
    assertThat(pod.path("metadata").path("labels").path("team").asText()).isEqualTo("platform");
    assertThat(
            rendered
                .single("ServiceMonitor")
                .path("spec")
                .path("endpoints")
                .get(0)
                .path("interval")
                .asText())
        .isEqualTo("15s");
  }

  @Test
  void aFieldTheCrdDoesNotKnowIsRefused() {
    JsonNode pod = ChartRenderer.render(EVERYTHING).single("PodMonitor").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("spec")).put("podMetricsPort", 1);
    assertThat(thirdParty().validate(pod)).isNotEmpty();
  }

  @Test
  void thePodMonitorScrapesEveryInjectedSidecarsManagementPortInAnyNamespace() {
    JsonNode spec = ChartRenderer.render(EVERYTHING).single("PodMonitor").path("spec");
    assertThat(spec.path("namespaceSelector").path("any").asBoolean()).isTrue();
    JsonNode expression = spec.path("selector").path("matchExpressions").get(0);
    assertThat(expression.path("key").asText()).isEqualTo("aihandler.io/workflow");
    assertThat(expression.path("operator").asText()).isEqualTo("Exists");
    JsonNode endpoint = spec.path("podMetricsEndpoints").get(0);
    // The port name PodSidecarInjector gives the sidecar's management port.
    assertThat(endpoint.path("port").asText()).isEqualTo("aihandler-mgmt");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    JsonNode relabeling = endpoint.path("relabelings").get(0);
    assertThat(relabeling.path("sourceLabels").get(0).asText())
        .isEqualTo("__meta_kubernetes_pod_label_aihandler_io_workflow");
    assertThat(relabeling.path("targetLabel").asText()).isEqualTo("workflow");
  }

  @Test
  void theServiceMonitorKeepsTheBackendsNamespaceLabel() {
    JsonNode endpoint =
        ChartRenderer.render(EVERYTHING)
            .single("ServiceMonitor")
            .path("spec")
            .path("endpoints")
            .get(0);
    assertThat(endpoint.path("honorLabels").asBoolean()).isTrue();
    assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
  }

  @Test
  void thePrometheusRuleShipsTheRuleFileAndRecordsTheThresholdsFromTheValues() throws Exception {
    JsonNode groups =
        renderedGroups(Map.of("monitoring.prometheusRule.thresholds.spendUsdPerHour", 250));
    JsonNode file = YAML.readTree(PACK.rules().toFile()).path("groups");
    assertThat(groups.size()).isEqualTo(file.size() + 1);
    for (int i = 0; i < file.size(); i++) {
      assertThat(groups.get(i + 1)).isEqualTo(file.get(i));
    }
    JsonNode thresholds = groups.get(0);
    assertThat(thresholds.path("name").asText()).isEqualTo("aihandler-alert-thresholds");
    Map<String, Double> expected = new java.util.TreeMap<>(PACK.defaultThresholds());
    expected.put("spendUsdPerHour", 250.0);
    JsonNode written =
        YAML.readTree(
                MonitoringPack.writeThresholds(
                        Files.createTempFile("thresholds", ".yaml"), expected)
                    .toFile())
            .path("groups")
            .get(0)
            .path("rules");
    assertThat(thresholds.path("rules").size()).isEqualTo(written.size());
    for (int i = 0; i < written.size(); i++) {
      JsonNode rendered = thresholds.path("rules").get(i);
      assertThat(rendered.path("record").asText())
          .isEqualTo(written.get(i).path("record").asText());
      assertThat(value(rendered.path("expr").asText()))
          .as(rendered.path("record").asText())
          .isEqualTo(value(written.get(i).path("expr").asText()));
    }
  }

  @Test
  void everyThresholdAnAlertComparesWithIsRecordedAndEveryRecordedOneIsUsed() throws Exception {
    Set<String> used = new HashSet<>();
    var m =
        java.util.regex.Pattern.compile("aihandler:alert_threshold:\\w+")
            .matcher(Files.readString(PACK.rules()));
    while (m.find()) {
      used.add(m.group());
    }
    Set<String> recorded = new HashSet<>();
    renderedGroups(Map.of())
        .get(0)
        .path("rules")
        .forEach(r -> recorded.add(r.path("record").asText()));
    assertThat(recorded).isEqualTo(used);
  }

  @Test
  void theDashboardConfigMapCarriesTheFileUnchangedWithTheGrafanaSidecarLabel() throws Exception {
    JsonNode configMap =
        ChartRenderer.render(
                Map.of(
                    "monitoring.dashboard.enabled", true,
                    "monitoring.dashboard.namespace", "grafana",
                    "monitoring.dashboard.annotations.grafana_folder", "AI Handler"))
            .find("ConfigMap", "aihandler-dashboard")
            .orElseThrow();
    assertThat(configMap.path("metadata").path("namespace").asText()).isEqualTo("grafana");
    assertThat(configMap.path("metadata").path("labels").path("grafana_dashboard").asText())
        .isEqualTo("1");
    assertThat(configMap.path("metadata").path("annotations").path("grafana_folder").asText())
        .isEqualTo("AI Handler");
    String shipped = configMap.path("data").path("aihandler.json").asText();
    assertThat(shipped.strip()).isEqualTo(Files.readString(PACK.dashboard()).strip());
    assertThat(JSON.readTree(shipped).path("uid").asText()).isEqualTo("aihandler");
    assertThat(KubernetesSchemasOrSkip.validate(configMap)).isEmpty();
  }

  @Test
  void theDashboardUsesTheFourTemplateVariablesAndDescribesEveryPanel() throws Exception {
    JsonNode dashboard = JSON.readTree(PACK.dashboard().toFile());
    List<String> variables = new ArrayList<>();
    dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).containsExactly("datasource", "namespace", "workflow", "task", "backend");
    for (JsonNode panel : dashboard.path("panels")) {
      if (!"row".equals(panel.path("type").asText())) {
        assertThat(panel.path("description").asText())
            .as(panel.path("title").asText())
            .isNotBlank();
        assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
      }
    }
  }

  @Test
  void theInstallNotesNameTheEnabledPartsAndHowToTurnThemOn() {
    assertThat(notes(Map.of()))
        .contains("monitoring.* in the values turns on")
        .doesNotContain("PodMonitor aihandler-sidecars");
    assertThat(notes(EVERYTHING))
        .contains(
            "ServiceMonitor aihandler: the operator's /metrics",
            "PodMonitor aihandler-sidecars: every router sidecar's port aihandler-mgmt in every"
                + " namespace",
            "spend threshold 50 USD per hour",
            "ConfigMap aihandler-system/aihandler-dashboard");
  }

  /** The NOTES a client-only dry-run install prints. */
  private static String notes(Map<String, Object> values) {
    var install =
        new com.marcnuri.helm.Helm(ChartRenderer.chartDirectory())
            .install()
            .withName(ChartRenderer.RELEASE)
            .withNamespace(ChartRenderer.NAMESPACE)
            .withKubeVersion("1.30.9")
            .clientOnly()
            .dryRun();
    values.forEach(install::set);
    return install.call().getOutput();
  }

  @Test
  void theShippedRulesPassPromtoolCheck(@TempDir Path dir) throws Exception {
    Path promtool = PrometheusServer.require(PrometheusServer.promtool(), "promtool");
    Path rendered = writeRenderedRules(dir, Map.of());
    assertThat(run(promtool, dir, "check", "rules", PACK.rules().toString())).contains("SUCCESS");
    assertThat(run(promtool, dir, "check", "rules", rendered.toString())).contains("SUCCESS");
  }

  @Test
  void everyAlertPassesItsPromtoolUnitTests(@TempDir Path dir) throws Exception {
    Path promtool = PrometheusServer.require(PrometheusServer.promtool(), "promtool");
    writeRenderedRules(dir, Map.of());
    Path tests = dir.resolve("alerts-test.yaml");
    try (var in = MonitoringPackTest.class.getResourceAsStream("/promtool/alerts-test.yaml")) {
      Files.write(tests, in.readAllBytes());
    }
    Set<String> tested = new HashSet<>();
    for (JsonNode test : YAML.readTree(tests.toFile()).path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        if (!check.path("exp_alerts").isEmpty()) {
          tested.add(check.path("alertname").asText());
        }
      }
    }
    assertThat(tested)
        .as("every alert has a test in which it fires")
        .containsExactlyInAnyOrderElementsOf(
            PACK.alerts().stream().map(MonitoringPack.Alert::name).toList());
    assertThat(run(promtool, dir, "test", "rules", tests.toString())).contains("SUCCESS");
  }

  /** The groups of the rendered PrometheusRule, as a rule file promtool and Prometheus read. */
  private static Path writeRenderedRules(Path dir, Map<String, Object> values) throws IOException {
    Path file = dir.resolve("aihandler-rules.yaml");
    YAML.writeValue(file.toFile(), Map.of("groups", renderedGroups(values)));
    return file;
  }

  private static JsonNode renderedGroups(Map<String, Object> values) {
    Map<String, Object> all = new java.util.HashMap<>(values);
    all.put("monitoring.prometheusRule.enabled", true);
    return ChartRenderer.render(all).single("PrometheusRule").path("spec").path("groups");
  }

  private static double value(String vectorExpr) {
    return Double.parseDouble(vectorExpr.replaceAll("^vector\\((.*)\\)$", "$1"));
  }

  private static String run(Path tool, Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(tool.toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static ThirdPartySchemas thirdParty() {
    var schemas = ThirdPartySchemas.locate();
    Assumptions.assumeTrue(
        schemas.isPresent(), "third-party CRD schemas not found beside the Kubernetes schemas");
    return schemas.get();
  }

  /** The built-in ConfigMap against the strict Kubernetes schemas, skipped when they are absent. */
  private static final class KubernetesSchemasOrSkip {
    static List<String> validate(JsonNode object) {
      var schemas = io.aihandler.api.testing.KubernetesSchemas.locate();
      Assumptions.assumeTrue(
          schemas.isPresent(), io.aihandler.api.testing.KubernetesSchemas.missingMessage());
      return schemas.get().validate(object);
    }
  }
}
