package io.aihandler.router.testing;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A minimal server-sent-events reader (event and data fields), as the sidecar's HTTP layer reads.
 */
public final class ServerSentEvents {

  /** One event: its name (null when unnamed) and its data lines joined by newlines. */
  public record Event(String event, String data) {}

  private ServerSentEvents() {}

  public static List<Event> parse(String stream) {
    return parse(stream.lines().iterator());
  }

  public static List<Event> parse(Iterator<String> lines) {
    List<Event> events = new ArrayList<>();
    String event = null;
    StringBuilder data = null;
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty()) {
        if (data != null) {
          events.add(new Event(event, data.toString()));
        }
        event = null;
        data = null;
      } else if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        String value = line.substring(5);
        value = value.startsWith(" ") ? value.substring(1) : value;
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    // An event not closed by a blank line is incomplete and, as in browsers, dropped.
    return events;
  }
}
