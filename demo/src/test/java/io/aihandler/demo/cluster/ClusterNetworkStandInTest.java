package io.aihandler.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one place where pod paths and cluster DNS names become local ones. */
class ClusterNetworkStandInTest {

  @TempDir Path pod;

  private static final String RENDERED =
      """
      sidecar:
        port: 4080
        managementHost: 0.0.0.0
      backends:
      - name: llama
        provider: vllm
        baseUrl: http://llama.llm-platform.svc:8000/v1
        model: llama-3.3-70b
      - name: claude
        provider: anthropic
        baseUrl: http://127.0.0.1:9999
        model: claude-sonnet-4-5
        credentials:
          file: /etc/aihandler/credentials/llm-platform.claude
      routes:
      - name: chat
        targets:
        - backend: llama
      """;

  @Test
  void mapsServiceNamesAndPodPathsAndNothingElse() {
    ClusterNetworkStandIn network =
        new ClusterNetworkStandIn(pod).resolve("llama.llm-platform.svc:8000", "127.0.0.2:8000");

    ClusterNetworkStandIn.Localized localized = network.localize(RENDERED);

    assertThat(localized.yaml())
        .contains("baseUrl: \"http://127.0.0.2:8000/v1\"")
        .contains(pod.resolve("etc/aihandler/credentials/llm-platform.claude").toString())
        .contains("managementHost: \"127.0.0.1\"")
        // a URL that is not a cluster Service stays as rendered
        .contains("baseUrl: \"http://127.0.0.1:9999\"")
        .contains("port: 4080")
        .contains("model: \"claude-sonnet-4-5\"");
    assertThat(localized.mappings())
        .hasSize(3)
        .anySatisfy(
            m ->
                assertThat(m)
                    .isEqualTo(
                        "backends[llama].baseUrl http://llama.llm-platform.svc:8000/v1 -> http://127.0.0.2:8000/v1 (cluster DNS)"));
  }

  @Test
  void keepsTheOperatorsServiceNameInTheActivationUrlAndResolvesItLocally() throws Exception {
    String rendered =
        RENDERED.replace(
            "  managementHost: 0.0.0.0\n",
            """
              managementHost: 0.0.0.0
              activation:
                url: https://aihandler-webhook.aihandler-system.svc/activations
                tokenPath: /var/run/secrets/aihandler.io/activation/token
            """);
    ClusterNetworkStandIn network =
        new ClusterNetworkStandIn(pod)
            .resolve("llama.llm-platform.svc:8000", "127.0.0.2:8000")
            .resolve("aihandler-webhook.aihandler-system.svc:443", "127.0.0.1:18443");

    ClusterNetworkStandIn.Localized localized = network.localize(rendered);

    // The name stays, for the certificate check; only the port is the local one.
    assertThat(localized.yaml())
        .contains("url: \"https://aihandler-webhook.aihandler-system.svc:18443/activations\"")
        .contains(pod.resolve("var/run/secrets/aihandler.io/activation/token").toString());
    assertThat(java.net.InetAddress.getByName("aihandler-webhook.aihandler-system.svc"))
        .isEqualTo(java.net.InetAddress.getByName("127.0.0.1"));
    assertThat(localized.mappings()).hasSize(5);
  }

  @Test
  void refusesAServiceWithoutAStandInNamingIt() {
    ClusterNetworkStandIn network = new ClusterNetworkStandIn(pod);

    assertThatThrownBy(() -> network.localize(RENDERED))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "backend llama calls Service llama.llm-platform.svc:8000, which has no local stand-in");
  }
}
