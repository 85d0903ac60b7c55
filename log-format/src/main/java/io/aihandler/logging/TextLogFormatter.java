package io.aihandler.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per record for people, the same in both processes: {@code 2026-01-02T03:04:05.678+0000
 * [thread] INFO io.aihandler.X - message}, the stack trace after it.
 *
 * <p>It is cheap enough to run once per request: unlike the JDK's {@code SimpleFormatter} it never
 * asks the record for its source class and method (which walks the caller's stack) and formats the
 * time with one pre-built pattern, not {@code String.format}; and a message that is only its
 * parameter ({@code "{0}"}, as the sidecar's access line is logged) is that parameter's text,
 * without parsing a {@code MessageFormat} pattern for every line.
 */
public final class TextLogFormatter extends Formatter {

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(256);
    TS.formatTo(record.getInstant(), line);
    line.append(" [")
        .append(Thread.currentThread().getName())
        .append("] ")
        .append(JsonLogFormatter.level(record.getLevel()).toUpperCase(Locale.ROOT))
        .append(' ')
        .append(record.getLoggerName())
        .append(" - ")
        .append(message(this, record))
        .append('\n');
    if (record.getThrown() != null) {
      StringWriter stack = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(stack));
      line.append(stack);
    }
    return line.toString();
  }

  /**
   * The record's message with its parameters: a message of {@code "{0}"} alone is its one
   * parameter's text; any other goes through {@link Formatter#formatMessage}, and a pattern its
   * parameters do not fit is written raw.
   */
  static String message(Formatter formatter, LogRecord record) {
    Object[] params = record.getParameters();
    if (params != null && params.length == 1 && "{0}".equals(record.getMessage())) {
      return String.valueOf(params[0]);
    }
    try {
      return formatter.formatMessage(record);
    } catch (RuntimeException e) {
      return String.valueOf(record.getMessage());
    }
  }
}
