package io.aihandler.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One JSON object per line, the same schema in both processes: {@code ts} (RFC 3339, UTC,
 * milliseconds), {@code level} ({@code error}, {@code warn}, {@code info}, {@code debug}, {@code
 * trace}), {@code logger}, {@code thread}, {@code msg}, then {@code request_id}, {@code trace_id}
 * and {@code span_id} when the thread serves a request ({@link LogContext}), an event's own fields
 * ({@link LogEvent}), and {@code error} (the exception with its stack) when there is one.
 *
 * <p>Every value is escaped by the JSON writer, so no value can end the line or forge a key; the
 * message and error are cut at a bound so one line stays one bounded line.
 */
public final class JsonLogFormatter extends Formatter {

  /** Longest {@code msg} written; a longer one is cut and ends with an ellipsis. */
  static final int MAX_MESSAGE = 8 * 1024;

  /** Longest {@code error} (exception and stack) written. */
  static final int MAX_ERROR = 16 * 1024;

  private static final Set<String> RESERVED =
      Set.of(
          "ts", "level", "logger", "thread", "msg", "request_id", "trace_id", "span_id", "error");

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * Buffers from a small pool every thread shares, not Jackson's default of a set per thread kept
   * for the thread's life: a server logs on each connection's own virtual thread, and the default
   * would keep a set on every idle keep-alive connection that ever logged. Lines are formatted one
   * at a time under the handler's lock, so a few sets serve all.
   */
  private static final JsonFactory JSON =
      new JsonFactoryBuilder().recyclerPool(JsonRecyclerPools.newBoundedPool(4)).build();

  @Override
  public String format(LogRecord record) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", TS.format(record.getInstant().truncatedTo(ChronoUnit.MILLIS)));
      g.writeStringField("level", level(record.getLevel()));
      g.writeStringField("logger", record.getLoggerName() == null ? "" : record.getLoggerName());
      g.writeStringField("thread", Thread.currentThread().getName());
      LogEvent event = event(record);
      g.writeStringField(
          "msg", cut(event != null ? event.message() : message(record), MAX_MESSAGE));
      LogContext.Ids ids = LogContext.current();
      if (ids != null) {
        writeIfPresent(g, "request_id", ids.requestId());
        writeIfPresent(g, "trace_id", ids.traceId());
        writeIfPresent(g, "span_id", ids.spanId());
      }
      if (event != null) {
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
          if (!RESERVED.contains(f.getKey())) {
            writeValue(g, f.getKey(), f.getValue());
          }
        }
      }
      if (record.getThrown() != null) {
        g.writeStringField("error", cut(stack(record.getThrown()), MAX_ERROR));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to a string cannot fail", e);
    }
    return out.append('\n').toString();
  }

  /** The record's message with its parameters; the raw pattern if they do not fit it. */
  private String message(LogRecord record) {
    return TextLogFormatter.message(this, record);
  }

  private static LogEvent event(LogRecord record) {
    Object[] params = record.getParameters();
    if (params != null) {
      for (Object p : params) {
        if (p instanceof LogEvent e) {
          return e;
        }
      }
    }
    return null;
  }

  private static void writeIfPresent(JsonGenerator g, String key, String value) throws IOException {
    if (value != null) {
      g.writeStringField(key, value);
    }
  }

  private static void writeValue(JsonGenerator g, String key, Object value) throws IOException {
    switch (value) {
      case null -> g.writeNullField(key);
      case Integer i -> g.writeNumberField(key, i);
      case Long l -> g.writeNumberField(key, l);
      case Double d when Double.isFinite(d) -> g.writeNumberField(key, d);
      case Boolean b -> g.writeBooleanField(key, b);
      default -> g.writeStringField(key, cut(value.toString(), MAX_MESSAGE));
    }
  }

  /**
   * The level's name in the schema ({@code error}, {@code warn}, {@code info}, {@code debug},
   * {@code trace}): JUL's levels folded onto the five everyone knows.
   */
  public static String level(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "error";
    }
    if (v >= Level.WARNING.intValue()) {
      return "warn";
    }
    if (v >= Level.INFO.intValue()) {
      return "info";
    }
    if (v >= Level.FINE.intValue()) {
      return "debug";
    }
    return "trace";
  }

  private static String stack(Throwable thrown) {
    StringWriter s = new StringWriter();
    try (PrintWriter w = new PrintWriter(s)) {
      thrown.printStackTrace(w);
    }
    return s.toString().stripTrailing();
  }

  private static String cut(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
