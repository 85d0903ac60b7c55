package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's environment, as the Helm chart sets it. */
class OperatorSettingsTest {

  @Test
  void readsTheChartsEnvironment() {
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
            Map.ofEntries(
                Map.entry("OPERATOR_NAMESPACE", "ai"),
                Map.entry("OPERATOR_POD_NAME", "op-1"),
                Map.entry("WATCH_NAMESPACES", " team-a, team-b ,"),
                Map.entry("SIDECAR_IMAGE", "r/router:1"),
                Map.entry("SIDECAR_MODE", "container"),
                Map.entry("WEBHOOK_PORT", "9443"),
                Map.entry("METRICS_PORT", "8080"),
                Map.entry("WEBHOOK_TLS_MODE", "cert-manager"),
                Map.entry("WEBHOOK_TLS_SECRET", "tls"),
                Map.entry("WEBHOOK_SERVICE", "svc"),
                Map.entry("LEADER_ELECTION_LEASE", "lease"),
                Map.entry("PROVIDER_ENDPOINTS", "anthropic=https://egress.local/anthropic")));
    assertThat(settings.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(settings.nativeSidecar()).isFalse();
    assertThat(settings.tlsMode()).isEqualTo(OperatorSettings.TlsMode.CERT_MANAGER);
    assertThat(settings.tls().dnsNames()).contains("svc.ai.svc");
    assertThat(settings.leaseName()).contains("lease");
    assertThat(settings.providers().anthropic()).isEqualTo("https://egress.local/anthropic");
    assertThat(settings.providers().openai()).isEqualTo("https://api.openai.com/v1");
  }

  @Test
  void sidecarPullSecretsAreNamesAndAnythingElseIsRefused() {
    assertThat(
            OperatorSettings.fromEnvironment(
                    Map.of("SIDECAR_IMAGE_PULL_SECRETS", " registry-a,registry.b ,,registry-a"))
                .sidecarImagePullSecrets())
        .containsExactly("registry-a", "registry.b");
    assertThat(OperatorSettings.fromEnvironment(Map.of()).sidecarImagePullSecrets()).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                OperatorSettings.fromEnvironment(
                    Map.of("SIDECAR_IMAGE_PULL_SECRETS", "Registry A")))
        .hasMessageContaining("SIDECAR_IMAGE_PULL_SECRETS");
  }

  @Test
  void defaultsSuitAnInstallWithoutSettings() {
    OperatorSettings settings = OperatorSettings.fromEnvironment(Map.of());
    assertThat(settings.namespace()).isEqualTo("aihandler-system");
    assertThat(settings.watchNamespaces()).isEmpty();
    assertThat(settings.nativeSidecar()).isTrue();
    assertThat(settings.webhookPort()).isEqualTo(9443);
    assertThat(settings.tlsMode()).isEqualTo(OperatorSettings.TlsMode.SELF_MANAGED);
  }

  @Test
  void refusesNonsenseNamingTheVariable() {
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("WEBHOOK_PORT", "https")))
        .hasMessageContaining("WEBHOOK_PORT");
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("SIDECAR_MODE", "sidecar")))
        .hasMessageContaining("SIDECAR_MODE must be native or container");
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnvironment(Map.of("PROVIDER_ENDPOINTS", "mistral=https://x")))
        .hasMessageContaining("unknown provider mistral");
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("WEBHOOK_TLS_MODE", "manual")))
        .hasMessageContaining("WEBHOOK_TLS_MODE");
  }

  @Test
  void theAdvisorHasTheDocumentedDefaultsAndNoPrometheusUnlessTold() {
    var advisor = OperatorSettings.fromEnvironment(Map.of()).advisor();
    assertThat(advisor.prometheusUrl()).isEmpty();
    assertThat(advisor.window()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(advisor.refreshInterval()).isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(advisor.closedBelowTokensPerMonth()).isEqualTo(50_000_000);
    assertThat(advisor.openAboveTokensPerMonth()).isEqualTo(500_000_000);
    // A quarter of a 200,000 USD engineer: 4,166.67 USD a month.
    assertThat(advisor.engineeringCostPerMonth()).isCloseTo(4166.67, within(0.01));
  }

  @Test
  void readsTheAdvisorsEnvironment() {
    var advisor =
        OperatorSettings.fromEnvironment(
                Map.ofEntries(
                    Map.entry("ADVISOR_PROMETHEUS_URL", "http://prometheus.monitoring:9090/"),
                    Map.entry("ADVISOR_NAMESPACE_LABEL", "kubernetes_namespace"),
                    Map.entry("ADVISOR_WINDOW", "14d"),
                    Map.entry("ADVISOR_REFRESH_INTERVAL", "1h30m"),
                    Map.entry("ADVISOR_SELF_HOSTING_ENGINEERS", "0.5"),
                    Map.entry("ADVISOR_ENGINEER_YEARLY_COST_USD", "240000"),
                    Map.entry("ADVISOR_OPEN_ABOVE_TOKENS_PER_MONTH", "1000000000")))
            .advisor();
    assertThat(advisor.prometheusUrl())
        .contains(java.net.URI.create("http://prometheus.monitoring:9090/"));
    assertThat(advisor.namespaceLabel()).isEqualTo("kubernetes_namespace");
    assertThat(advisor.window()).isEqualTo(java.time.Duration.ofDays(14));
    assertThat(advisor.refreshInterval()).isEqualTo(java.time.Duration.ofMinutes(90));
    assertThat(advisor.engineeringCostPerMonth()).isEqualTo(10_000);
    assertThat(advisor.openAboveTokensPerMonth()).isEqualTo(1e9);
  }

  @Test
  void refusesAdvisorNonsenseWithoutEchoingAUrlThatMayHoldCredentials() {
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnvironment(
                    Map.of("ADVISOR_PROMETHEUS_URL", "https://admin:hunter2@prometheus:9090")))
        .hasMessageContaining("ADVISOR_PROMETHEUS_URL must be the http(s) base URL")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(
            () -> OperatorSettings.fromEnvironment(Map.of("ADVISOR_PROMETHEUS_URL", "prometheus")))
        .hasMessageContaining("ADVISOR_PROMETHEUS_URL");
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("ADVISOR_WINDOW", "1w")))
        .hasMessageContaining("ADVISOR_WINDOW must be a duration");
    assertThatThrownBy(
            () -> OperatorSettings.fromEnvironment(Map.of("ADVISOR_SELF_HOSTING_ENGINEERS", "-1")))
        .hasMessageContaining("ADVISOR_SELF_HOSTING_ENGINEERS");
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnvironment(
                    Map.of(
                        "ADVISOR_CLOSED_BELOW_TOKENS_PER_MONTH", "900000000",
                        "ADVISOR_OPEN_ABOVE_TOKENS_PER_MONTH", "100")))
        .hasMessageContaining("must not be below the closed one");
    assertThatThrownBy(
            () -> OperatorSettings.fromEnvironment(Map.of("ADVISOR_NAMESPACE_LABEL", "name-space")))
        .hasMessageContaining("Prometheus label name");
  }
}
