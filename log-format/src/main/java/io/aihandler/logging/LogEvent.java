package io.aihandler.logging;

import java.util.Map;

/**
 * A log record's parameter that is an event with fields of its own (the sidecar's access line). The
 * JSON format writes its {@link #message()} as {@code msg} and each field as a key of the line; the
 * text format writes the parameter's {@link Object#toString()}, so a text line stays as it was.
 */
public interface LogEvent {

  /** A short constant message, e.g. {@code request}. */
  String message();

  /**
   * The event's fields in the order they are written. Values are strings, numbers or booleans;
   * anything else is written as its string form. Keys must not be one of the line's own ({@code
   * ts}, {@code level}, {@code logger}, {@code msg}, {@code request_id}, {@code trace_id}, {@code
   * span_id}, {@code error}): such a field is dropped.
   */
  Map<String, Object> fields();
}
