package io.aihandler.router.upstream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads server-sent events (the WHATWG event-stream format) one event at a time. */
public final class SseEventReader implements AutoCloseable {

  /** One event; {@code event} is null when the stream names none. */
  public record Event(String event, String data) {}

  private final BufferedReader reader;

  public SseEventReader(InputStream in) {
    this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 8192);
  }

  /** The next event, or null at the end of the stream. */
  public Event next() throws IOException {
    String event = null;
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(event, data.toString());
        }
        event = null;
        continue;
      }
      if (line.charAt(0) == ':') {
        continue; // comment / keep-alive
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> event = value;
        case "data" -> {
          if (data == null) {
            data = new StringBuilder(value.length());
          } else {
            data.append('\n');
          }
          data.append(value);
        }
        default -> {
          // id and retry are of no use to a proxy that never reconnects mid-answer
        }
      }
    }
    // A final event without its blank line still counts; the translator decides if the stream
    // was complete.
    return data != null ? new Event(event, data.toString()) : null;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
