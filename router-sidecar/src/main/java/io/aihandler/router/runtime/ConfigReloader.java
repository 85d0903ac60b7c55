package io.aihandler.router.runtime;

import io.aihandler.router.config.InvalidRouterConfigException;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the current {@link RouterRuntime} and replaces it when the config file changes. The file
 * is polled by content, which also catches Kubernetes' atomic symlink swaps of mounted ConfigMaps;
 * a bad new document is refused (logged and counted) and the last good one kept. Credential files
 * are re-read on the same tick.
 */
public final class ConfigReloader implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.config");

  private final Path file;
  private final BackendHealth health;
  private final CredentialStore credentials;
  private final RouterMetrics metrics;
  private final Consumer<RouterConfig> onApplied;
  private final AtomicReference<RouterRuntime> current = new AtomicReference<>();
  private volatile byte[] lastSeenDigest = new byte[0];
  private volatile String appliedHash = "";
  private ScheduledExecutorService poller;

  /**
   * Loads the file once.
   *
   * @param onApplied called with each config that is put in use (e.g. to set the log level)
   * @throws InvalidRouterConfigException when the first document cannot be used
   */
  public ConfigReloader(
      Path file,
      BackendHealth health,
      CredentialStore credentials,
      RouterMetrics metrics,
      Consumer<RouterConfig> onApplied)
      throws InvalidRouterConfigException {
    this.file = file;
    this.health = health;
    this.credentials = credentials;
    this.metrics = metrics;
    this.onApplied = onApplied;
    byte[] bytes = read();
    RouterConfig config = RouterConfigLoader.load(file);
    apply(config, digest(bytes == null ? new byte[0] : bytes));
  }

  /** The runtime in use now. */
  public RouterRuntime current() {
    return current.get();
  }

  /** Hex SHA-256 of the config document in use. */
  public String appliedHash() {
    return appliedHash;
  }

  /** Starts polling the files. */
  public synchronized void start(Duration interval) {
    if (poller != null) {
      return;
    }
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("aihandler-config-reload").unstarted(r));
    poller.scheduleWithFixedDelay(
        this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Checks the files once: reloads the config if its content changed, re-reads keys. */
  public void check() {
    try {
      credentials.refresh();
      byte[] bytes = read();
      if (bytes == null) {
        return;
      }
      byte[] d = digest(bytes);
      if (Arrays.equals(d, lastSeenDigest)) {
        return;
      }
      lastSeenDigest = d;
      RouterConfig config;
      try {
        config = RouterConfigLoader.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), file.toString());
        apply(config, d);
      } catch (InvalidRouterConfigException e) {
        refuse(String.join("; ", e.problems()));
        return;
      } catch (RuntimeException e) {
        refuse(e.getMessage());
        return;
      }
      metrics.reload("config", true);
      LOG.log(Level.INFO, "config {0} reloaded (sha256 {1})", file, appliedHash);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "config check failed: {0}", e.toString());
    }
  }

  private void refuse(String why) {
    metrics.reload("config", false);
    LOG.log(
        Level.WARNING,
        "config {0} changed but cannot be used; keeping the last good one (sha256 {1}): {2}",
        file,
        appliedHash,
        why);
  }

  private void apply(RouterConfig config, byte[] digest) {
    RouterRuntime old = current.get();
    RouterRuntime rt = RouterRuntime.build(config, health, old);
    if (old != null && !old.config().sidecar().equals(config.sidecar())) {
      LOG.log(
          Level.INFO,
          "sidecar settings changed; the listener settings and request limits"
              + " take effect on restart");
    }
    credentials.track(config.backends());
    current.set(rt);
    lastSeenDigest = digest;
    appliedHash = HexFormat.of().formatHex(digest);
    onApplied.accept(config);
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read config {0}: {1}", file, e.toString());
      return null;
    }
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
