package io.aihandler.operator;

import io.aihandler.logging.JsonLogFormatter;
import io.aihandler.logging.LogFormat;
import io.aihandler.logging.TextLogFormatter;
import java.io.OutputStream;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The operator's log output. SLF4J (the operator's, JOSDK's and fabric8's logging API) goes to
 * {@code java.util.logging} through {@code slf4j-jdk14}, where one handler writes every record to
 * stderr: as text for people ({@code LOG_FORMAT=text}, the default) or as the JSON lines the
 * sidecar writes too ({@code LOG_FORMAT=json}, {@link JsonLogFormatter}).
 */
public final class OperatorLogging {

  private OperatorLogging() {}

  /**
   * Sends every log record at {@code level} or above to {@code out} in {@code format}, replacing
   * the root logger's handlers.
   *
   * @param level {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}
   */
  public static void configure(String level, LogFormat format, OutputStream out) {
    Level threshold = level(level);
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler handler =
        new StreamHandler(
            out, format == LogFormat.JSON ? new JsonLogFormatter() : new TextLogFormatter()) {
          @Override
          public synchronized void publish(LogRecord record) {
            super.publish(record);
            // A line a crash or kubectl logs never sees is no use: write each one through.
            flush();
          }
        };
    handler.setLevel(threshold);
    root.addHandler(handler);
    root.setLevel(threshold);
  }

  /** The JUL level of a {@code LOG_LEVEL} value; unknown values mean {@code info}. */
  static Level level(String name) {
    return switch (name == null ? "info" : name.toLowerCase(Locale.ROOT)) {
      case "error" -> Level.SEVERE;
      case "warn" -> Level.WARNING;
      case "debug" -> Level.FINE;
      case "trace" -> Level.FINEST;
      default -> Level.INFO;
    };
  }
}
