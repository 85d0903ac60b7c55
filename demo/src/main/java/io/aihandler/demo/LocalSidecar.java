package io.aihandler.demo;

import io.aihandler.router.RouterMain;
import io.aihandler.router.config.InvalidRouterConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real router sidecar, started in this process through its public entry point ({@link
 * RouterMain}) on the mounted config, with free ports. It reads its config and keys from files,
 * exactly as in a pod. Its access log (one line per request, routing facts only) is captured so the
 * demo can show which route and backend served each request; its other log lines are kept off the
 * console unless they are warnings.
 */
final class LocalSidecar implements AutoCloseable {

  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

  /** One access-log line, split into its fields. */
  record AccessLine(String text, Map<String, String> fields) {
    String route() {
      return fields.getOrDefault("route", "-");
    }

    String backend() {
      return fields.getOrDefault("backend", "-");
    }

    int attempts() {
      return Integer.parseInt(fields.getOrDefault("attempts", "0"));
    }

    int status() {
      return Integer.parseInt(fields.getOrDefault("status", "0"));
    }
  }

  // JUL holds loggers weakly: keep them, or the handler and level vanish with them.
  private final Logger routerLogger = Logger.getLogger("io.aihandler.router");
  private final List<AccessLine> access = new CopyOnWriteArrayList<>();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler handler;
  private final RouterMain main;

  LocalSidecar(Path configFile, Map<String, String> environment)
      throws InvalidRouterConfigException {
    SimpleFormatter formatter = new SimpleFormatter();
    this.handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            String text = formatter.formatMessage(record);
            if ("io.aihandler.router.access".equals(record.getLoggerName())) {
              Map<String, String> fields = new java.util.LinkedHashMap<>();
              Matcher m = FIELD.matcher(text);
              while (m.find()) {
                fields.put(m.group(1), m.group(2));
              }
              access.add(new AccessLine(text, Map.copyOf(fields)));
            } else if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(text);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    routerLogger.addHandler(handler);
    routerLogger.setUseParentHandlers(false);
    this.main = new RouterMain(configFile, 0, 0, environment::get);
  }

  LocalSidecar start() {
    main.start();
    return this;
  }

  String apiUrl() {
    return "http://127.0.0.1:" + main.port();
  }

  String managementUrl() {
    return "http://127.0.0.1:" + main.managementPort();
  }

  int accessCount() {
    return access.size();
  }

  /**
   * The access line of the request after the first {@code seen}, waiting briefly: it is written as
   * the response completes.
   */
  Optional<AccessLine> accessAfter(int seen, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (access.size() <= seen && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return access.size() > seen ? Optional.of(access.get(seen)) : Optional.empty();
  }

  /**
   * The access lines of the {@code count} requests that completed after the first {@code seen}, in
   * the order they completed, waiting briefly for them.
   */
  List<AccessLine> accessSince(int seen, int count, Duration wait) {
    accessAfter(seen + count - 1, wait);
    if (access.size() < seen + count) {
      throw new DemoFailure(
          "the sidecar wrote " + (access.size() - seen) + " access log lines, not " + count);
    }
    return List.copyOf(access.subList(seen, seen + count));
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public void close() {
    try {
      main.close();
    } finally {
      routerLogger.removeHandler(handler);
      routerLogger.setUseParentHandlers(true);
    }
  }
}
