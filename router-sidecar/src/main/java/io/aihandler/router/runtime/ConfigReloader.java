package io.aihandler.router.runtime;

import io.aihandler.router.config.InvalidRouterConfigException;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.metrics.RouterMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Holds the current {@link RouterRuntime} and replaces it when the config file changes.
 *
 * <p>The file is polled by content and a change is loaded only once it is stable, the same on two
 * consecutive checks ({@link StableFileWatch}), so a file rewritten in place is never loaded
 * half-written; Kubernetes' atomic {@code ..data} symlink swap is applied one check after it is
 * first seen. A new document that fails to parse or validate is refused (logged and counted) and
 * the last good one kept; so is a missing or unreadable file. Credential files are re-read on the
 * same tick. A failure of any kind in a check is logged and counted and the next check runs as
 * usual.
 */
public final class ConfigReloader implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.config");

  /** The {@code task} label of {@link RouterMetrics#backgroundTaskFailure} for the config check. */
  static final String CONFIG_TASK = "config-reload";

  /** The {@code task} label of {@link RouterMetrics#backgroundTaskFailure} for the key re-read. */
  static final String CREDENTIALS_TASK = "credential-refresh";

  private final StableFileWatch watch;
  private final BackendHealth health;
  private final CredentialStore credentials;
  private final RouterMetrics metrics;
  private final Consumer<RouterConfig> onApplied;
  private final AtomicReference<RouterRuntime> current = new AtomicReference<>();
  private volatile String appliedHash = "";

  /**
   * The last stable content that was tried, applied or refused: not tried again until it changes.
   */
  private String lastTriedHash = "";

  /** Why the file cannot be read now, or null; warned about when it changes, not on every tick. */
  private String unreadableReason;

  private ScheduledExecutorService poller;

  /**
   * Loads the file once.
   *
   * @param onApplied called with each config that is put in use (e.g. to set the log level)
   * @throws InvalidRouterConfigException when the first document cannot be read or used
   */
  public ConfigReloader(
      Path file,
      BackendHealth health,
      CredentialStore credentials,
      RouterMetrics metrics,
      Consumer<RouterConfig> onApplied)
      throws InvalidRouterConfigException {
    this(file, health, credentials, metrics, onApplied, new StableFileWatch(file));
  }

  /** As above, watching the file with {@code watch} (its quiet period and clock). */
  ConfigReloader(
      Path file,
      BackendHealth health,
      CredentialStore credentials,
      RouterMetrics metrics,
      Consumer<RouterConfig> onApplied,
      StableFileWatch watch)
      throws InvalidRouterConfigException {
    this.watch = watch;
    this.health = health;
    this.credentials = credentials;
    this.metrics = metrics;
    this.onApplied = onApplied;
    StableFileWatch.Snapshot first;
    try {
      first = watch.read();
    } catch (IOException e) {
      throw new InvalidRouterConfigException(
          file.toString(), List.of("cannot read the file: " + e.getMessage()));
    }
    apply(RouterConfigLoader.parse(text(first), file.toString()), first.sha256());
  }

  /** The runtime in use now. */
  public RouterRuntime current() {
    return current.get();
  }

  /** Hex SHA-256 of the config document in use. */
  public String appliedHash() {
    return appliedHash;
  }

  /** The backends' keys, as the config in use names them. */
  public CredentialStore credentials() {
    return credentials;
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

  /**
   * Checks the files once: re-reads the keys, and applies the config file if its content changed
   * and is stable since the previous check. Never throws, except {@link OutOfMemoryError}.
   */
  public synchronized void check() {
    survive(CREDENTIALS_TASK, credentials::refresh);
    survive(CONFIG_TASK, this::reloadIfChanged);
  }

  /**
   * Runs one step of the check so that nothing it throws stops the poller: a scheduled task that
   * throws is never run again, silently.
   */
  private void survive(String task, Runnable step) {
    try {
      step.run();
    } catch (OutOfMemoryError e) {
      // Not kept alive quietly: the launcher runs with -XX:+ExitOnOutOfMemoryError.
      throw e;
    } catch (Throwable e) {
      metrics.backgroundTaskFailure(task);
      StackTraceElement[] at = e.getStackTrace();
      LOG.log(
          Level.ERROR,
          "{0} failed; the next check runs as usual: {1}{2}",
          task,
          credentials.redact(e.toString()),
          at.length == 0 ? "" : " at " + at[0]);
    }
  }

  private void reloadIfChanged() {
    switch (watch.observe()) {
      case StableFileWatch.Unreadable u -> unreadable(u.reason());
      case StableFileWatch.Settling s -> {
        readable();
        LOG.log(
            Level.DEBUG, "config {0} is changing; it is loaded once it is stable", watch.file());
      }
      case StableFileWatch.Stable s -> {
        readable();
        tryToApply(s.snapshot());
      }
    }
  }

  private void tryToApply(StableFileWatch.Snapshot snapshot) {
    if (snapshot.sha256().equals(appliedHash) || snapshot.sha256().equals(lastTriedHash)) {
      return;
    }
    lastTriedHash = snapshot.sha256();
    try {
      apply(RouterConfigLoader.parse(text(snapshot), watch.file().toString()), snapshot.sha256());
    } catch (InvalidRouterConfigException e) {
      refuse(String.join("; ", e.problems()));
      return;
    } catch (RuntimeException e) {
      refuse(e.toString());
      return;
    }
    metrics.reload("config", true);
    LOG.log(Level.INFO, "config {0} reloaded (sha256 {1})", watch.file(), appliedHash);
  }

  private void unreadable(String reason) {
    metrics.configUnreadable("config");
    if (!reason.equals(unreadableReason)) {
      LOG.log(
          Level.WARNING,
          "config {0}; keeping the last good one (sha256 {1}) until it can be read",
          reason,
          appliedHash);
    }
    unreadableReason = reason;
  }

  private void readable() {
    if (unreadableReason != null) {
      LOG.log(Level.INFO, "config {0} can be read again", watch.file());
      unreadableReason = null;
    }
  }

  private void refuse(String why) {
    metrics.reload("config", false);
    LOG.log(
        Level.WARNING,
        "config {0} changed but cannot be used; keeping the last good one (sha256 {1}): {2}",
        watch.file(),
        appliedHash,
        why);
  }

  /** Builds the whole runtime first, so a config that cannot be built leaves the old in use. */
  private void apply(RouterConfig config, String sha256) {
    RouterRuntime old = current.get();
    RouterRuntime rt = RouterRuntime.build(config, health, old);
    List<String> onRestart =
        old == null ? List.of() : restartOnlyChanges(old.config().sidecar(), config.sidecar());
    if (!onRestart.isEmpty()) {
      LOG.log(
          Level.INFO,
          "sidecar settings {0} changed; listener settings and request limits take effect on"
              + " restart",
          String.join(", ", onRestart));
    }
    credentials.track(config.backends());
    current.set(rt);
    appliedHash = sha256;
    lastTriedHash = sha256;
    onApplied.accept(config);
  }

  /** The listener settings and request limits, which the server reads only when it starts. */
  private static final Map<String, Function<SidecarSettings, Object>> RESTART_ONLY = restartOnly();

  private static Map<String, Function<SidecarSettings, Object>> restartOnly() {
    Map<String, Function<SidecarSettings, Object>> m = new LinkedHashMap<>();
    m.put("host", SidecarSettings::host);
    m.put("port", SidecarSettings::port);
    m.put("managementHost", SidecarSettings::managementHost);
    m.put("managementPort", SidecarSettings::managementPort);
    m.put("maxConnections", SidecarSettings::maxConnections);
    m.put("idleTimeout", SidecarSettings::idleTimeout);
    m.put("headerReadTimeout", SidecarSettings::headerReadTimeout);
    m.put("maxRequestBytes", SidecarSettings::maxRequestBytes);
    m.put("maxConcurrentRequests", SidecarSettings::maxConcurrentRequests);
    m.put("bodyReadTimeout", SidecarSettings::bodyReadTimeout);
    m.put("maxJsonDepth", SidecarSettings::maxJsonDepth);
    m.put("maxJsonArrayItems", SidecarSettings::maxJsonArrayItems);
    return Collections.unmodifiableMap(m);
  }

  private static List<String> restartOnlyChanges(SidecarSettings before, SidecarSettings now) {
    return RESTART_ONLY.entrySet().stream()
        .filter(e -> !Objects.equals(e.getValue().apply(before), e.getValue().apply(now)))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static String text(StableFileWatch.Snapshot snapshot) {
    return new String(snapshot.content(), StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
