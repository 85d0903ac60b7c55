package io.aihandler.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
