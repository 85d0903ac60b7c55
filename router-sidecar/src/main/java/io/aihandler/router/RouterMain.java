package io.aihandler.router;

import io.aihandler.logging.LogFormat;
import io.aihandler.logging.LogOutput;
import io.aihandler.router.config.InvalidRouterConfigException;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.routing.RequestRouter;
import io.aihandler.router.runtime.BackendHealth;
import io.aihandler.router.runtime.ColdCapacity;
import io.aihandler.router.runtime.ConfigReloader;
import io.aihandler.router.runtime.CredentialStore;
import io.aihandler.router.runtime.TimerTaskGuard;
import io.aihandler.router.server.HeapPlan;
import io.aihandler.router.server.MemoryBudget;
import io.aihandler.router.server.RouterServer;
import io.aihandler.router.tracing.TracingSwitch;
import io.aihandler.router.upstream.UpstreamClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Starts the sidecar: {@code java -jar router-sidecar.jar --config router.yaml [--port N]
 * [--management-port N]}. Stops gracefully on SIGTERM: in-flight requests finish within {@code
 * sidecar.shutdownGrace}.
 */
public final class RouterMain implements AutoCloseable {

  /** Looked up at first use: the JDK's first logger lookup scans the class path for a provider. */
  private static final class Log {
    static final System.Logger LOG = System.getLogger("io.aihandler.router");
  }

  /** Exit status when a port cannot be bound (sysexits' EX_UNAVAILABLE). */
  static final int EXIT_CANNOT_LISTEN = 69;

  private final UpstreamClient upstream;
  private final ConfigReloader config;
  private final RouterServer server;
  private final RouterMetrics metrics;
  private final TracingSwitch tracing;
  private final ColdCapacity cold;
  private final Integer portOverride;
  private final Integer managementPortOverride;

  /**
   * Loads the config and builds everything; {@link #start()} opens the port.
   *
   * @param port overrides {@code sidecar.port} when not null (0 picks a free port)
   * @param managementPort overrides {@code sidecar.managementPort} when not null (0 picks a free
   *     port)
   * @param environment where {@code credentials.env} names are looked up
   */
  public RouterMain(
      Path configFile, Integer port, Integer managementPort, Function<String, String> environment)
      throws InvalidRouterConfigException {
    this(configFile, port, managementPort, environment, Runtime.getRuntime().maxMemory());
  }

  /** As above, sharing out a heap of {@code maxHeap} bytes (the JVM's own, but for tests). */
  RouterMain(
      Path configFile,
      Integer port,
      Integer managementPort,
      Function<String, String> environment,
      long maxHeap)
      throws InvalidRouterConfigException {
    this.metrics = new RouterMetrics();
    this.portOverride = port;
    this.managementPortOverride = managementPort;
    BackendHealth health = new BackendHealth(metrics);
    CredentialStore credentials = new CredentialStore(environment, metrics);
    this.tracing = new TracingSwitch(metrics::traceSpans);
    this.cold = new ColdCapacity(metrics);
    this.config =
        new ConfigReloader(
            configFile,
            health,
            credentials,
            metrics,
            applied -> {
              applyLogLevel(applied);
              LogOutput.use(LogFormat.parse(applied.sidecar().logFormat()));
              tracing.apply(applied.sidecar().tracing());
              cold.configure(applied);
            });
    this.upstream =
        new UpstreamClient(new TimerTaskGuard("upstream-timer", metrics::backgroundTaskFailure));
    RequestRouter router =
        new RequestRouter(
            upstream, credentials, health, metrics, ThreadLocalRandom.current(), cold);
    SidecarSettings settings = config.current().config().sidecar();
    HeapPlan plan = HeapPlan.of(config.current().config(), maxHeap);
    List<String> problems = plan.problems(settings);
    if (!problems.isEmpty()) {
      throw new InvalidRouterConfigException(configFile.toString(), problems);
    }
    this.server =
        new RouterServer(
            config,
            router,
            metrics,
            port,
            managementPort,
            new MemoryBudget(plan.bodies()),
            tracing);
  }

  /**
   * Opens the ports and starts watching the files.
   *
   * @throws ListenerFailedException when a port cannot be bound; nothing is left listening
   */
  public RouterMain start() {
    server.start();
    SidecarSettings s = config.current().config().sidecar();
    // The server logs a bind failure and returns without listening (on any port, when one fails);
    // a sidecar without its ports must not look alive.
    if (server.port() < 0 || server.managementPort() < 0) {
      server.close();
      throw new ListenerFailedException(
          whyNotListening(
              new InetSocketAddress(s.host(), portOverride != null ? portOverride : s.port()),
              new InetSocketAddress(
                  s.managementHost(),
                  managementPortOverride != null ? managementPortOverride : s.managementPort())));
    }
    config.start(s.reloadIntervalDuration());
    Log.LOG.log(
        Level.INFO,
        "router listening on http://{0}:{1} (management on http://{2}:{3})",
        config.current().config().sidecar().host(),
        String.valueOf(server.port()),
        config.current().config().sidecar().managementHost(),
        String.valueOf(server.managementPort()));
    return this;
  }

  /**
   * Why the listeners did not start: the address that cannot be bound and, found by binding it once
   * more, the cause.
   */
  private static String whyNotListening(InetSocketAddress api, InetSocketAddress management) {
    for (InetSocketAddress address : List.of(api, management)) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(address);
      } catch (IOException e) {
        return "cannot listen on "
            + address.getHostString()
            + ":"
            + address.getPort()
            + ": "
            + e.getClass().getSimpleName()
            + ": "
            + e.getMessage();
      }
    }
    return "cannot listen on "
        + api.getHostString()
        + ":"
        + api.getPort()
        + " and "
        + management.getHostString()
        + ":"
        + management.getPort()
        + ": the listeners did not start (see the server's log above)";
  }

  /** A port of the sidecar could not be bound. */
  public static final class ListenerFailedException extends RuntimeException {
    ListenerFailedException(String message) {
      super(message);
    }
  }

  public int port() {
    return server.port();
  }

  public int managementPort() {
    return server.managementPort();
  }

  public RouterMetrics metrics() {
    return metrics;
  }

  public ConfigReloader config() {
    return config;
  }

  /** The tracing in use: off until the config names an OTLP endpoint. */
  public TracingSwitch tracing() {
    return tracing;
  }

  @Override
  public void close() {
    config.close();
    cold.stop(); // held requests are answered now, not kept until the grace runs out
    server.close();
    upstream.close();
    // After the server: spans of the requests that finished during the grace period go out too.
    tracing.close();
    cold.close();
  }

  private static void applyLogLevel(RouterConfig config) {
    java.util.logging.Level level =
        switch (config.sidecar().logLevel().toLowerCase(Locale.ROOT)) {
          case "error" -> java.util.logging.Level.SEVERE;
          case "warn" -> java.util.logging.Level.WARNING;
          case "debug" -> java.util.logging.Level.FINE;
          default -> java.util.logging.Level.INFO;
        };
    Logger.getLogger("io.aihandler").setLevel(level);
  }

  public static void main(String[] args) {
    StartupWarmup.begin();
    Path configFile = null;
    Integer port = null;
    Integer managementPort = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config", "-c" -> configFile = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--port" -> port = i + 1 < args.length ? Integer.valueOf(args[++i]) : null;
        case "--management-port" ->
            managementPort = i + 1 < args.length ? Integer.valueOf(args[++i]) : null;
        default -> {
          System.err.println("unknown argument " + args[i]);
          usage();
        }
      }
    }
    if (configFile == null) {
      usage();
    }
    RouterMain main;
    try {
      main = new RouterMain(configFile, port, managementPort, System::getenv);
    } catch (InvalidRouterConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(main::close, "aihandler-shutdown"));
    try {
      main.start();
    } catch (ListenerFailedException e) {
      System.err.println("router-sidecar: " + e.getMessage());
      System.exit(EXIT_CANNOT_LISTEN);
    }
  }

  private static void usage() {
    System.err.println(
        "usage: java -jar router-sidecar.jar --config router.yaml [--port N] [--management-port N]");
    System.exit(64);
  }
}
