package io.aihandler.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Puts the chosen format on the root logger's console handlers (stderr, where both processes have
 * always logged). Switching back and forth is allowed, e.g. when the sidecar reloads its config.
 */
public final class LogOutput {

  private LogOutput() {}

  /**
   * Makes the root logger's console handlers write {@code format}: {@link JsonLogFormatter} for
   * JSON, {@code text} (the process's own text formatter) otherwise.
   */
  public static void use(LogFormat format, Formatter text) {
    Formatter chosen = format == LogFormat.JSON ? new JsonLogFormatter() : text;
    for (Handler h : Logger.getLogger("").getHandlers()) {
      if (h instanceof ConsoleHandler && !sameKind(h.getFormatter(), chosen)) {
        h.setFormatter(chosen);
      }
    }
  }

  /** As {@link #use(LogFormat, Formatter)} with {@link TextLogFormatter} for text. */
  public static void use(LogFormat format) {
    use(format, new TextLogFormatter());
  }

  private static boolean sameKind(Formatter a, Formatter b) {
    return a != null && a.getClass() == b.getClass();
  }
}
