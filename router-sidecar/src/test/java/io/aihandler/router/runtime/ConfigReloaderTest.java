package io.aihandler.router.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file changes under a running reloader: in place, by symlink swap, or not at all. */
class ConfigReloaderTest {

  /** Routes first, data classes last: a file cut before its end is still a valid document. */
  private static final String CONFIG =
      """
      sidecar: {logLevel: %s}
      backends:
        - {name: local, provider: vllm, baseUrl: "http://127.0.0.1:9/v1", model: llama}
        - {name: hosted, provider: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", model: big, locality: external}
      routes:
        - {name: %s, targets: [{backend: local}, {backend: hosted}]}
      defaultDataClass: restricted
      dataClasses:
        - {name: restricted, allowedLocalities: [in-cluster]}
      """;

  @TempDir Path dir;
  RouterMetrics metrics;
  LogCapture logs;
  ConfigReloader reloader;
  final List<RouterConfig> applied = new CopyOnWriteArrayList<>();

  static String config(String logLevel, String route) {
    return CONFIG.formatted(logLevel, route);
  }

  @BeforeEach
  void setUp() {
    metrics = new RouterMetrics();
    logs = new LogCapture();
  }

  @AfterEach
  void tearDown() {
    if (reloader != null) {
      reloader.close();
    }
    logs.close();
  }

  ConfigReloader start(Path file, Consumer<RouterConfig> onApplied) throws Exception {
    reloader =
        new ConfigReloader(
            file,
            new BackendHealth(metrics),
            new CredentialStore(Map.<String, String>of()::get, metrics),
            metrics,
            c -> {
              applied.add(c);
              onApplied.accept(c);
            },
            // Files written a moment ago count as quiet here; one test below keeps the real period.
            new StableFileWatch(file, java.time.Duration.ZERO, java.time.Clock.systemUTC()));
    return reloader;
  }

  ConfigReloader start(Path file) throws Exception {
    return start(file, c -> {});
  }

  static String sha256(String text) {
    return StableFileWatch.sha256(text.getBytes(UTF_8));
  }

  @Test
  void anErrorInACheckIsCountedAndTheNextEditStillApplies() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, config("info", "one"));
    start(
        file,
        c -> {
          if (c.sidecar().logLevel().equals("warn")) {
            throw new AssertionError("injected failure while applying a config");
          }
        });
    reloader.start(Duration.ofMillis(20));

    Files.writeString(file, config("warn", "two"));
    await(
        () ->
            metrics
                .scrape()
                .contains("aihandler_background_task_failures_total{task=\"config-reload\"} 1.0"));
    Files.writeString(file, config("error", "three"));

    await(() -> reloader.appliedHash().equals(sha256(config("error", "three"))));
    assertThat(reloader.current().config().routes().getFirst().name()).isEqualTo("three");
    assertThat(logs.all())
        .contains("config-reload failed; the next check runs as usual")
        .contains("injected failure while applying a config");
  }

  @Test
  void aKubernetesSymlinkSwapIsAppliedOnTheSecondCheckThatSeesIt() throws Exception {
    // The layout of a projected ConfigMap volume: router.yaml -> ..data/router.yaml, and ..data ->
    // a timestamped directory, replaced by renaming a new symlink over it.
    Path first = Files.createDirectory(dir.resolve("..2026_12_01_10_00_00.000000001"));
    Files.writeString(first.resolve("router.yaml"), config("info", "one"));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("router.yaml"), Path.of("..data/router.yaml"));
    start(file);

    Path second = Files.createDirectory(dir.resolve("..2026_12_01_10_05_00.000000002"));
    Files.writeString(second.resolve("router.yaml"), config("info", "two"));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(first.resolve("router.yaml"));
    Files.delete(first);

    reloader.check();
    assertThat(reloader.appliedHash())
        .as("one check sees it")
        .isEqualTo(sha256(config("info", "one")));
    reloader.check();
    assertThat(reloader.appliedHash())
        .as("the second confirms it")
        .isEqualTo(sha256(config("info", "two")));
    assertThat(reloader.current().config().routes().getFirst().name()).isEqualTo("two");
    assertThat(metrics.scrape())
        .contains("aihandler_config_reloads_total{file=\"config\",outcome=\"success\"} 1.0");
  }

  @Test
  void aHalfThatSitsLongerThanACheckIntervalIsNotTakenUntilTheFileHasBeenQuiet() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, config("info", "one"));
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(60)));
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());
    java.time.Clock clock =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            return now.get();
          }
        };
    reloader =
        new ConfigReloader(
            file,
            new BackendHealth(metrics),
            new CredentialStore(Map.<String, String>of()::get, metrics),
            metrics,
            applied::add,
            new StableFileWatch(file, StableFileWatch.DEFAULT_QUIET, clock));
    String next = config("info", "two");
    String half = next.substring(0, next.indexOf("defaultDataClass"));
    Files.writeString(file, half, StandardOpenOption.TRUNCATE_EXISTING);
    java.time.Instant written = Files.getLastModifiedTime(file).toInstant();

    // Checks half a second apart, for a second and a half: the writer is still paused.
    for (int i = 0; i < 4; i++) {
      now.set(written.plusMillis(500L * i));
      reloader.check();
    }
    assertThat(reloader.appliedHash())
        .as("the half is too fresh")
        .isEqualTo(sha256(config("info", "one")));

    Files.writeString(file, next.substring(half.length()), StandardOpenOption.APPEND);
    java.time.Instant finished = Files.getLastModifiedTime(file).toInstant();
    now.set(finished.plusMillis(100));
    reloader.check();
    reloader.check();
    assertThat(reloader.appliedHash())
        .as("not quiet long enough yet")
        .isEqualTo(sha256(config("info", "one")));
    now.set(finished.plus(StableFileWatch.DEFAULT_QUIET));
    reloader.check();
    assertThat(reloader.appliedHash()).isEqualTo(sha256(next));
    assertThat(applied).allSatisfy(c -> assertThat(c.dataClasses()).isNotEmpty());
  }

  @Test
  void aConfigFileLargerThanAnyConfigIsRefusedUnread() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, config("info", "one"));
    start(file);
    try (var out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
      byte[] comment = ("#" + "x".repeat(1023) + "\n").getBytes(UTF_8);
      for (long written = 0; written <= StableFileWatch.MAX_BYTES; written += comment.length) {
        out.write(comment);
      }
    }
    reloader.check();
    reloader.check();
    assertThat(reloader.appliedHash()).isEqualTo(sha256(config("info", "one")));
    assertThat(metrics.scrape()).contains("aihandler_config_unreadable_total{file=\"config\"} 2.0");
  }

  @Test
  void aFileRewrittenInPlaceIsNeverAppliedHalfWritten() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, config("info", "one"));
    start(file);
    String next = config("info", "two");
    String half = next.substring(0, next.indexOf("defaultDataClass"));

    Files.writeString(file, half, StandardOpenOption.TRUNCATE_EXISTING);
    reloader.check();
    Files.writeString(file, next.substring(half.length()), StandardOpenOption.APPEND);
    reloader.check();

    assertThat(reloader.appliedHash()).isEqualTo(sha256(config("info", "one")));
    reloader.check();
    assertThat(reloader.appliedHash()).isEqualTo(sha256(next));
    assertThat(applied)
        .as("every config in use kept its data classes")
        .allSatisfy(c -> assertThat(c.dataClasses()).isNotEmpty());
    assertThat(metrics.scrape())
        .contains("aihandler_config_reloads_total{file=\"config\",outcome=\"failure\"} 0.0");
  }

  @Test
  void anEmptyOrCutFileIsRefusedAndTheLastGoodOneKept() throws Exception {
    Path file = dir.resolve("router.yaml");
    String good = config("info", "one");
    Files.writeString(file, good);
    start(file);

    Files.writeString(file, "");
    reloader.check();
    reloader.check();
    assertThat(metrics.scrape())
        .contains("aihandler_config_reloads_total{file=\"config\",outcome=\"failure\"} 1.0");
    assertThat(logs.all()).contains("the document is empty");

    Files.writeString(file, good.substring(0, good.indexOf("targets:") + 12));
    reloader.check();
    reloader.check();
    reloader.check();
    assertThat(metrics.scrape())
        .as("refused once, not on every check")
        .contains("aihandler_config_reloads_total{file=\"config\",outcome=\"failure\"} 2.0");

    assertThat(reloader.appliedHash()).isEqualTo(sha256(good));
    assertThat(reloader.current().config().dataClasses()).isNotEmpty();
    assertThat(applied).hasSize(1);
  }

  @Test
  void aCircuitWindowTooLargeToAllocateIsRefusedAtReload() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, config("info", "one"));
    start(file);

    Files.writeString(
        file,
        config("info", "two")
            .replace(
                "targets: [{backend: local}, {backend: hosted}]",
                "targets: [{backend: local}, {backend: hosted}], circuitBreaker: {windowSize: 100000}"));
    reloader.check();
    reloader.check();

    assertThat(logs.all())
        .contains("routes[0].circuitBreaker.windowSize: 100000 is outside 1..1000");
    assertThat(reloader.current().config().routes().getFirst().name()).isEqualTo("one");
    Files.writeString(file, config("info", "three"));
    reloader.check();
    reloader.check();
    assertThat(reloader.current().config().routes().getFirst().name()).isEqualTo("three");
  }

  @Test
  void aDeletedFileIsCountedOnEveryCheckWarnedOnceAndTheLastGoodOneKept() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, config("info", "one"));
    start(file);

    Files.delete(file);
    for (int i = 0; i < 3; i++) {
      reloader.check();
    }

    assertThat(metrics.scrape()).contains("aihandler_config_unreadable_total{file=\"config\"} 3.0");
    assertThat(logs.lines().stream().filter(l -> l.contains("does not exist"))).hasSize(1);
    assertThat(reloader.appliedHash()).isEqualTo(sha256(config("info", "one")));

    Files.writeString(file, config("info", "two"));
    reloader.check();
    reloader.check();
    assertThat(reloader.appliedHash()).isEqualTo(sha256(config("info", "two")));
    assertThat(logs.all()).contains("can be read again");
  }

  @Test
  void aDataSymlinkPointingNowhereIsCountedWarnedOnceAndTheLastGoodOneKept() throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_12_01_10_00_00.000000001"));
    Files.writeString(first.resolve("router.yaml"), config("info", "one"));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("router.yaml"), Path.of("..data/router.yaml"));
    start(file);

    Files.delete(dir.resolve("..data"));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_12_01_99_99_99.gone"));
    for (int i = 0; i < 4; i++) {
      reloader.check();
    }

    assertThat(metrics.scrape()).contains("aihandler_config_unreadable_total{file=\"config\"} 4.0");
    assertThat(logs.lines().stream().filter(l -> l.contains("keeping the last good one")))
        .hasSize(1);
    assertThat(reloader.current().config().routes().getFirst().name()).isEqualTo("one");
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within 5s");
      }
      Thread.sleep(10);
    }
  }
}
