package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.router.config.InvalidRouterConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The responses store's byte cap is part of the heap plan: a store that cannot fit stops the start.
 */
class ResponsesStoreHeapTest {

  /** What -Xmx32m with the serial collector reports as the maximum heap. */
  private static final long LAUNCHER_HEAP = 32_440_320;

  @TempDir Path dir;

  private Path config(String sidecar) throws Exception {
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        sidecar
            + "\nbackends:\n  - {name: llama, provider: vllm, baseUrl: \"http://127.0.0.1:9/v1\", model: llama}\n");
    return config;
  }

  @Test
  void aStoreTooLargeForTheHeapIsRefusedAtStartWithTheNumbers() throws Exception {
    Path config = config("sidecar: {responsesStoreBytes: 8388608}");

    assertThatThrownBy(
            () -> new RouterMain(config, 0, 0, Map.<String, String>of()::get, LAUNCHER_HEAP))
        .isInstanceOfSatisfying(
            InvalidRouterConfigException.class,
            e ->
                assertThat(String.join("\n", e.problems()))
                    .contains("8.0 MiB for responsesStoreBytes"));
  }

  @Test
  void theDefaultStoreFitsTheLaunchersHeap() throws Exception {
    try (RouterMain main =
        new RouterMain(config(""), 0, 0, Map.<String, String>of()::get, LAUNCHER_HEAP)) {
      assertThat(main).isNotNull();
    }
  }
}
