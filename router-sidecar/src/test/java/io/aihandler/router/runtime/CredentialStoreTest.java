package io.aihandler.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.RouterConfigLoader;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {

  @TempDir Path dir;

  @Test
  void aKeyFileLargerThanAnyKeyIsNotReadAndTheLastKeyStays() throws Exception {
    Path key = Files.writeString(dir.resolve("key"), "sk-first-0123456789");
    Backend backend =
        RouterConfigLoader.parse(
                """
                backends:
                  - {name: gpt, provider: openai, model: gpt-4o, credentials: {file: "%s"}}
                routes:
                  - {name: main, targets: [{backend: gpt}]}
                """
                    .formatted(key),
                "test")
            .backends()
            .getFirst();
    RouterMetrics metrics = new RouterMetrics();
    CredentialStore store = new CredentialStore(Map.<String, String>of()::get, metrics);
    store.track(java.util.List.of(backend));
    store.refresh();
    assertThat(store.key(backend)).isEqualTo("sk-first-0123456789");

    Files.writeString(key, "x".repeat((int) CredentialStore.MAX_KEY_FILE_BYTES + 1));
    try (LogCapture log = new LogCapture()) {
      store.refresh();
      assertThat(log.awaitLine(l -> l.contains("larger than"))).doesNotContain("xxxx");
    }
    assertThat(store.key(backend)).isEqualTo("sk-first-0123456789");
    assertThat(metrics.scrape())
        .contains("aihandler_config_unreadable_total{file=\"credentials\"} 1.0");
  }
}
