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
  void refusesAServiceWithoutAStandInNamingIt() {
    ClusterNetworkStandIn network = new ClusterNetworkStandIn(pod);

    assertThatThrownBy(() -> network.localize(RENDERED))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "backend llama calls Service llama.llm-platform.svc:8000, which has no local stand-in");
  }
}
