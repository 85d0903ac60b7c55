package io.aihandler.router.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.aihandler.router.config.SidecarHeap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code -Xmx} the operator gives an injected sidecar ({@link SidecarHeap#maxHeapMib} of the
 * document's need) is one the real sidecar process, on the launcher's other flags, starts on; and
 * the figure is tight: four MiB less is refused at start with the numbers.
 */
class PlannedHeapProcessTest {

  private static final String EVALUATING =
      """
      tasks:
        - name: classify
          route: main
          evaluate: {candidates: [{backend: candidate, sampleRate: 0.1}]}
      """;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "maxConnections: 1100",
        "maxRequestBytes: 4194304",
        "maxUpstreamResponseBytes: 4194304",
        "evaluating"
      })
  void theOperatorsHeapFigureStartsTheSidecarAndLessIsRefused(String setting) throws Exception {
    RouterYaml yaml = new RouterYaml("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1");
    if (setting.equals("evaluating")) {
      yaml.backend(
          "{name: candidate, provider: vllm, baseUrl: \"http://127.0.0.1:9/v1\", model: m}");
    } else if (!setting.isEmpty()) {
      yaml.sidecar(setting);
    }
    String document = yaml + (setting.equals("evaluating") ? EVALUATING : "");
    Path config = Files.writeString(dir.resolve("router.yaml"), document);
    RouterConfig parsed = RouterConfigLoader.parse(document, "router.yaml");
    long mib = SidecarHeap.maxHeapMib(SidecarHeap.needed(parsed));

    try (SidecarProcess sidecar = SidecarProcess.startWith(config, List.of("-Xmx" + mib + "m"))) {
      assertThat(sidecar.alive()).as("started on -Xmx%sm", mib).isTrue();
    }
    if (mib - 4 >= 16) {
      try (SidecarProcess refused =
          SidecarProcess.launchWith(
              config,
              List.of("-Xmx" + (mib - 4) + "m"),
              List.of("--port", "0", "--management-port", "0"))) {
        Optional<Integer> exit = refused.awaitExit(Duration.ofSeconds(30));
        assertThat(exit).as("exit code on -Xmx%sm", mib - 4).contains(2);
        assertThat(String.join("\n", refused.log())).contains("of heap").contains("-Xmx");
      }
    }
  }
}
