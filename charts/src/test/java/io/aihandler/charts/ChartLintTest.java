package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart passes {@code helm lint --strict}, and its values schema refuses what it does not know.
 */
class ChartLintTest {

  @Test
  void passesStrictLintWithItsDefaultValues() {
    LintResult result = ChartRenderer.lint();
    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
  }

  @Test
  void refusesAMisspeltTopLevelKey() {
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("replicaCont", 3)))
        .hasMessageContaining("replicaCont");
  }

  @Test
  void refusesAMisspeltKeyInsideASection() {
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("webhook.tls.mdoe", "cert-manager")))
        .hasMessageContaining("mdoe");
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("monitoring.serviceMonitor.enable", true)))
        .hasMessageContaining("enable");
  }

  @Test
  void refusesValuesOutsideTheirDomain() {
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("sidecar.mode", "sidecar")))
        .hasMessageContaining("/sidecar/mode");
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("image.digest", "latest")))
        .hasMessageContaining("/image/digest");
    assertThatThrownBy(() -> ChartRenderer.render(Map.of("watchNamespaces[0]", "Not_A_Namespace")))
        .hasMessageContaining("/watchNamespaces/0");
  }
}
