package io.aihandler.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fields for cold capacity: their defaults, and the values refused with the field named. */
class ColdCapacityConfigTest {

  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\\n    MIIB\\n    -----END CERTIFICATE-----";

  private static String doc(String sidecar, String backend, String route) {
    return """
        sidecar:
          port: 4080
          %s
        backends:
          - name: local
            provider: vllm
            baseUrl: "http://llama:8000/v1"
            model: llama
            %s
          - {name: gpt, provider: openai-compatible, baseUrl: "https://api.example.com/v1", model: m}
        routes:
          - name: main
            targets: [{backend: local}, {backend: gpt}]
            %s
        """
        .formatted(sidecar, backend, route);
  }

  private static List<String> problems(String sidecar, String backend, String route) {
    try {
      RouterConfigLoader.parse(doc(sidecar, backend, route), "cold.yaml");
      return List.of();
    } catch (InvalidRouterConfigException e) {
      return e.problems();
    }
  }

  @Test
  void defaultsSpillOverHoldForTenMinutesAndNeverAsk() throws Exception {
    RouterConfig c =
        RouterConfigLoader.parse(
            doc("", "capacity: {state: scaled-to-zero, modelBackend: ml/llama}", ""), "cold.yaml");
    assertThat(c.route("main").orElseThrow().spillOver()).isTrue();
    assertThat(c.route("main").orElseThrow().coldStartTimeoutDuration())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(c.sidecar().maxHeldRequests()).isEqualTo(64);
    assertThat(c.sidecar().holdKeepAliveIntervalDuration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.sidecar().activation()).isNull();
    assertThat(c.backend("local").orElseThrow().ready()).isFalse();
    assertThat(c.backend("gpt").orElseThrow().ready()).isTrue();
  }

  @Test
  void holdSettingsAreBounded() {
    assertThat(problems("maxHeldRequests: -1", "", ""))
        .containsExactly("sidecar.maxHeldRequests: -1 is outside 0..100000");
    assertThat(problems("maxHeldRequests: 0", "", "")).isEmpty();
    assertThat(problems("holdKeepAliveInterval: 0s", "", ""))
        .containsExactly("sidecar.holdKeepAliveInterval: must be longer than zero");
    assertThat(problems("", "", "coldStartTimeout: 2h"))
        .containsExactly("routes[0].coldStartTimeout: 2h is longer than the most allowed, 1h");
    assertThat(problems("", "", "coldStartTimeout: soon")).hasSize(1);
  }

  @Test
  void capacityNamesItsModelBackendByNamespaceAndName() {
    assertThat(problems("", "capacity: {state: starting, modelBackend: ml/llama}", "")).isEmpty();
    assertThat(problems("", "capacity: {state: starting, modelBackend: llama}", ""))
        .containsExactly("backends[0].capacity.modelBackend: \"llama\" is not <namespace>/<name>");
  }

  @Test
  void theActivationCallIsHttpsWithAnAbsoluteTokenPathAndACa() {
    String good =
        "activation: {url: \"https://op.aihandler-system.svc:9443/activations\","
            + " tokenPath: /var/run/secrets/aihandler.io/activation/token,"
            + " caCertificate: \""
            + PEM
            + "\"}";
    assertThat(problems(good, "", "")).isEmpty();
    assertThat(
            problems(
                "activation: {url: \"http://op:9443/activations\", tokenPath: token,"
                    + " minInterval: 0s}",
                "",
                ""))
        .containsExactly(
            "sidecar.activation.url: \"http://op:9443/activations\" is not an https URL",
            "sidecar.activation.tokenPath: must be an absolute path",
            "sidecar.activation.caCertificate: must be a PEM certificate",
            "sidecar.activation.minInterval: must be longer than zero");
  }
}
