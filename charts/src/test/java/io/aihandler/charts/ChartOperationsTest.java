package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.aihandler.api.testing.Manifests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a platform team needs of the chart to run it: drains that a single replica cannot block,
 * egress through proxies and private CAs, {@code helm test}, metadata for chart indexes, and CRDs
 * that can be upgraded from the packaged chart.
 */
class ChartOperationsTest {

  @Test
  void aSingleReplicaGetsNoDisruptionBudgetThatWouldBlockDrains() {
    assertThat(ChartRenderer.render(Map.of("replicaCount", 1)).ofKind("PodDisruptionBudget"))
        .isEmpty();
    JsonNode budget = ChartRenderer.render(Map.of("replicaCount", 3)).single("PodDisruptionBudget");
    assertThat(budget.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(budget.at("/spec/minAvailable").isMissingNode()).isTrue();
  }

  @Test
  void aProxyReachesTheKubernetesClientAndTheJvmWithTheClusterKeptDirect() {
    var env =
        ChartRenderer.render(
                Map.of(
                    "proxy.httpsProxy", "http://proxy.corp.example:3128",
                    "proxy.noProxy[0]", "10.96.0.0/12",
                    "proxy.noProxy[1]", "10.244.0.0/16",
                    "proxy.noProxy[2]", ".corp.example",
                    "proxy.noProxy[3]", "gateway.internal"))
            .operatorEnvironment();
    assertThat(env.get("HTTPS_PROXY")).isEqualTo("http://proxy.corp.example:3128");
    assertThat(env.get("NO_PROXY"))
        .isEqualTo(
            "localhost,127.0.0.1,.svc,.cluster.local,kubernetes.default.svc,10.96.0.0/12,10.244.0.0/16,.corp.example,gateway.internal");
    assertThat(env.get("JAVA_TOOL_OPTIONS"))
        .isEqualTo(
            "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
                + " -Dhttps.proxyHost=proxy.corp.example -Dhttps.proxyPort=3128"
                + " -Dhttp.nonProxyHosts=localhost|127.0.0.1|*.svc|*.cluster.local|kubernetes.default.svc|10.*|10.244.*|*.corp.example|gateway.internal");
    assertThat(ChartRenderer.render().operatorEnvironment())
        .doesNotContainKeys("HTTPS_PROXY", "NO_PROXY", "EXTRA_CA_BUNDLE");
    assertThat(
            ChartRenderer.render(Map.of("proxy.httpsProxy", "https://proxy.corp.example"))
                .operatorEnvironment()
                .get("JAVA_TOOL_OPTIONS"))
        .contains("-Dhttps.proxyPort=443");
    assertThatThrownBy(
            () -> ChartRenderer.render(Map.of("proxy.httpsProxy", "proxy.corp.example:3128")))
        .hasMessageContaining("/proxy/httpsProxy");
  }

  @Test
  void anExtraCaBundleIsMountedReadOnlyAndNamedToTheOperator() {
    var rendered =
        ChartRenderer.render(
            Map.of("extraCaBundle.configMap", "corp-ca", "extraCaBundle.key", "bundle.pem"));
    assertThat(rendered.operatorEnvironment().get("EXTRA_CA_BUNDLE"))
        .isEqualTo("/etc/aihandler/extra-ca/bundle.pem");
    JsonNode pod = rendered.single("Deployment").at("/spec/template/spec");
    JsonNode volume = find(pod.path("volumes"), "extra-ca");
    assertThat(volume.at("/configMap/name").asText()).isEqualTo("corp-ca");
    assertThat(volume.at("/configMap/items/0/key").asText()).isEqualTo("bundle.pem");
    JsonNode mount = find(rendered.operatorContainer().path("volumeMounts"), "extra-ca");
    assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/aihandler/extra-ca");
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
    assertThat(
            find(
                    ChartRenderer.render(Map.of("extraCaBundle.secret", "corp-ca"))
                        .single("Deployment")
                        .at("/spec/template/spec/volumes"),
                    "extra-ca")
                .at("/secret/secretName")
                .asText())
        .isEqualTo("corp-ca");
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    Map.of("extraCaBundle.configMap", "a", "extraCaBundle.secret", "b")))
        .hasMessageContaining("extraCaBundle");
  }

  @Test
  void extraEnvIsAddedAndCannotOverrideWhatTheChartSets() {
    var env =
        ChartRenderer.render(
                Map.of(
                    "extraEnv[0].name", "PROVIDER_ENDPOINTS",
                    "extraEnv[0].value", "openai=https://egress.corp.example/openai/v1"))
            .operatorEnvironment();
    assertThat(env.get("PROVIDER_ENDPOINTS"))
        .isEqualTo("openai=https://egress.corp.example/openai/v1");
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    Map.of("extraEnv[0].name", "WATCH_NAMESPACES", "extraEnv[0].value", "x")))
        .hasMessageContaining("extraEnv sets WATCH_NAMESPACES");
  }

  @Test
  void advisorValuesReachTheOperatorAndBadOnesAreRefusedAtInstall() {
    var env =
        ChartRenderer.render(
                Map.of(
                    "advisor.prometheusUrl",
                    "http://prometheus-operated.monitoring:9090",
                    "advisor.window",
                    "14d",
                    "advisor.engineerYearlyCostUsd",
                    240000,
                    "advisor.selfHostingEngineers",
                    0.5,
                    "advisor.openAboveTokensPerMonth",
                    1000000000))
            .operatorEnvironment();
    assertThat(env.get("ADVISOR_PROMETHEUS_URL"))
        .isEqualTo("http://prometheus-operated.monitoring:9090");
    assertThat(env.get("ADVISOR_WINDOW")).isEqualTo("14d");
    assertThat(env.get("ADVISOR_ENGINEER_YEARLY_COST_USD")).isEqualTo("240000");
    assertThat(env.get("ADVISOR_SELF_HOSTING_ENGINEERS")).isEqualTo("0.5");
    assertThat(env.get("ADVISOR_OPEN_ABOVE_TOKENS_PER_MONTH")).isEqualTo("1000000000");
    assertThatThrownBy(
            () -> ChartRenderer.render(Map.of("advisor.prometheusUrl", "prometheus:9090")))
        .hasMessageContaining("/advisor/prometheusUrl");
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    Map.of("advisor.prometheusUrl", "http://user:secret@prometheus:9090")))
        .hasMessageContaining("/advisor/prometheusUrl");
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("advisor.window", "1w")))
        .hasMessageContaining("/advisor/window");
    assertThatThrownBy(
            () ->
                ChartRenderer.render(
                    Map.of("extraEnv[0].name", "ADVISOR_WINDOW", "extraEnv[0].value", "1d")))
        .hasMessageContaining("extraEnv sets ADVISOR_WINDOW");
  }

  @Test
  void helmTestChecksTheWebhookOverTlsAndWaitsForTheCrds() {
    List<JsonNode> hooks = ChartRenderer.renderHooks(Map.of());
    assertThat(hooks)
        .extracting(h -> h.path("kind").asText())
        .containsExactlyInAnyOrder(
            "Pod", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Pod");
    assertThat(hooks)
        .allSatisfy(
            hook ->
                assertThat(hook.at("/metadata/annotations/helm.sh~1hook").asText())
                    .isEqualTo("test"));
    JsonNode webhook =
        hooks.stream()
            .filter(h -> h.at("/metadata/name").asText().endsWith("-test-webhook"))
            .findFirst()
            .orElseThrow();
    String script = webhook.at("/spec/containers/0/command/2").asText();
    assertThat(script)
        .contains("https://aihandler-webhook.aihandler-system.svc")
        .contains("--cacert /tls/ca.crt")
        .contains("/validate-workflows");
    assertThat(webhook.at("/spec/volumes/0/secret/items").size())
        .as("only ca.crt, never the key")
        .isEqualTo(1);
    JsonNode crds =
        hooks.stream()
            .filter(
                h ->
                    h.path("kind").asText().equals("Pod")
                        && h.at("/metadata/name").asText().endsWith("-test-crds"))
            .findFirst()
            .orElseThrow();
    assertThat(crds.at("/spec/containers/0/args").toString())
        .contains(
            "crd/modelbackends.aihandler.io",
            "crd/routingpolicies.aihandler.io",
            "crd/workflows.aihandler.io");
    JsonNode role =
        hooks.stream()
            .filter(h -> h.path("kind").asText().equals("ClusterRole"))
            .findFirst()
            .orElseThrow();
    assertThat(role.at("/rules").size()).isEqualTo(1);
    assertThat(role.at("/rules/0/verbs").toString())
        .doesNotContain("create", "update", "delete", "patch");
  }

  @Test
  void chartMetadataIsCompleteAndKubeVersionIsWhatTheDocsPromise() throws IOException {
    Path root = Manifests.repositoryRoot();
    JsonNode chart = Manifests.read(root.resolve("charts/aihandler/Chart.yaml")).getFirst();
    for (String field :
        List.of("home", "sources", "maintainers", "keywords", "kubeVersion", "annotations")) {
      assertThat(chart.has(field)).as("Chart.yaml has %s", field).isTrue();
    }
    assertThat(chart.at("/annotations/artifacthub.io~1license").asText()).isEqualTo("Apache-2.0");
    assertThat(chart.at("/annotations/artifacthub.io~1crds").asText())
        .contains(
            "modelbackends.aihandler.io", "routingpolicies.aihandler.io", "workflows.aihandler.io");
    Matcher promise =
        Pattern.compile("Kubernetes (\\d+\\.\\d+)\\+")
            .matcher(Files.readString(root.resolve("docs/operations.md")));
    assertThat(promise.find()).as("docs/operations.md states the minimum Kubernetes").isTrue();
    assertThat(chart.path("kubeVersion").asText()).isEqualTo(">=" + promise.group(1) + ".0-0");
    assertThat(Files.readString(root.resolve("README.md")))
        .contains("Kubernetes " + promise.group(1) + " or newer");
    String license = Files.readString(root.resolve("LICENSE"));
    assertThat(license)
        .contains("Apache License", "Version 2.0, January 2004", "END OF TERMS AND CONDITIONS");
    assertThat(Files.readString(root.resolve("charts/aihandler/LICENSE"))).isEqualTo(license);
  }

  @Test
  void notesPointAtTheClusterNotAtThisRepository() throws IOException {
    String notes = Files.readString(ChartRenderer.chartDirectory().resolve("templates/NOTES.txt"));
    assertThat(notes).doesNotContain("examples/", "charts/", "crds/manifests");
    assertThat(notes).contains("helm test", "helm show crds");
  }

  @Test
  void thePackagedChartCarriesTheCrdsForAnUpgradeByServerSideApply(@TempDir Path out)
      throws IOException {
    new Helm(ChartRenderer.chartDirectory()).packageIt().withDestination(out).call();
    Path archive;
    try (Stream<Path> files = Files.list(out)) {
      archive = files.filter(f -> f.toString().endsWith(".tgz")).findFirst().orElseThrow();
    }
    Map<String, String> packaged = tarEntries(archive);
    Path committed = Manifests.repositoryRoot().resolve("crds/manifests");
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(committed)) {
      for (Path crd : files.sorted().toList()) {
        names.add(crd.getFileName().toString());
        assertThat(packaged.get("aihandler/crds/" + crd.getFileName()))
            .as("the packaged chart's crds/%s", crd.getFileName())
            .isEqualTo(Files.readString(crd));
      }
    }
    assertThat(names).hasSize(3);
    assertThat(packaged).containsKey("aihandler/LICENSE");
  }

  private static JsonNode find(JsonNode list, String name) {
    for (JsonNode item : list) {
      if (name.equals(item.path("name").asText())) {
        return item;
      }
    }
    throw new AssertionError("no " + name + " in " + list);
  }

  /** The regular files of a .tgz, as path -> UTF-8 text (a chart holds only text files). */
  private static Map<String, String> tarEntries(Path archive) throws IOException {
    Map<String, String> entries = new HashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name =
            new String(header, 0, 100, java.nio.charset.StandardCharsets.US_ASCII)
                .replaceAll("\0.*", "");
        String prefix =
            new String(header, 345, 155, java.nio.charset.StandardCharsets.US_ASCII)
                .replaceAll("\0.*", "");
        long size =
            Long.parseLong(
                new String(header, 124, 12, java.nio.charset.StandardCharsets.US_ASCII)
                    .replaceAll("[\0 ]", "")
                    .trim(),
                8);
        byte[] body = in.readNBytes((int) size);
        in.skipNBytes((512 - size % 512) % 512);
        if (header[156] == '0' || header[156] == 0) {
          entries.put(
              prefix.isEmpty() ? name : prefix + "/" + name,
              new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
    return entries;
  }
}
