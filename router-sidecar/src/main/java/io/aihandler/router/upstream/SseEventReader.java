package io.aihandler.router.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads server-sent events (the WHATWG event-stream format) one event at a time, holding at most
 * {@code maxEventBytes} of any one event: a longer line, or {@code data:} lines that never meet a
 * blank line, end the stream with {@link EventTooLargeException} instead of filling the heap.
 */
public final class SseEventReader implements AutoCloseable {

  /**
   * One event; {@code event} is null when the stream names none. Its data is kept as the bytes it
   * came in, joined by LF when it came on several {@code data} lines, and decoded only when asked
   * for: a chunk that passes through unchanged is never turned into a string.
   */
  public static final class Event {
    private final String event;
    private final byte[] data;
    private final boolean oneLine;
    private String text;

    public Event(String event, String data) {
      // Either line break would end the data's line in an event written as it is.
      this(
          event,
          data.getBytes(StandardCharsets.UTF_8),
          data.indexOf('\n') < 0 && data.indexOf('\r') < 0);
      this.text = data;
    }

    private Event(String event, byte[] data, boolean oneLine) {
      this.event = event;
      this.data = data;
      this.oneLine = oneLine;
    }

    public String event() {
      return event;
    }

    /** The data as text; malformed UTF-8 becomes U+FFFD. */
    public String data() {
      if (text == null) {
        text = new String(data, StandardCharsets.UTF_8);
      }
      return text;
    }

    /** The data's bytes, not to be changed. */
    public byte[] dataBytes() {
      return data;
    }

    /**
     * Whether the data came on one {@code data} line, so it holds no CR or LF and can be sent on as
     * one line of an event.
     */
    public boolean oneLine() {
      return oneLine;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Event e && Objects.equals(event, e.event) && data().equals(e.data());
    }

    @Override
    public int hashCode() {
      return Objects.hash(event, data());
    }

    @Override
    public String toString() {
      return "Event[event=" + event + ", data=" + data() + "]";
    }
  }

  /** An event (or a line) was larger than the reader's limit; the rest of it was not read. */
  public static final class EventTooLargeException extends IOException {
    private final long limit;

    public EventTooLargeException(long limit) {
      super("a server-sent event is larger than " + limit + " bytes");
      this.limit = limit;
    }

    public long limit() {
      return limit;
    }
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LF = {'\n'};

  private final InputStream in;
  private final long maxEventBytes;
  private final byte[] buffer = new byte[8192];
  private int position;
  private int end;
  private boolean afterCarriageReturn;
  private byte[] line = new byte[512];
  private int lineLength;
  private byte[] data = new byte[512];
  private int dataLength;

  public SseEventReader(InputStream in, long maxEventBytes) {
    this.in = in;
    this.maxEventBytes = maxEventBytes;
  }

  /** The next event, or null at the end of the stream. */
  public Event next() throws IOException {
    String event = null;
    int dataLines = 0;
    dataLength = 0;
    long eventBytes = 0;
    while (readLine(maxEventBytes - eventBytes)) {
      eventBytes += lineLength + 1;
      if (lineLength == 0) {
        if (dataLines > 0) {
          return new Event(event, Arrays.copyOf(data, dataLength), dataLines == 1);
        }
        event = null;
        eventBytes = 0;
        continue;
      }
      if (line[0] == ':') {
        continue; // comment / keep-alive
      }
      int colon = indexOfColon();
      int fieldEnd = colon < 0 ? lineLength : colon;
      int valueStart = colon < 0 ? lineLength : colon + 1;
      if (valueStart < lineLength && line[valueStart] == ' ') {
        valueStart++;
      }
      if (isField(DATA, fieldEnd)) {
        if (dataLines++ > 0) {
          appendData(LF, 0, 1);
        }
        appendData(line, valueStart, lineLength - valueStart);
      } else if (isField(EVENT, fieldEnd)) {
        event = new String(line, valueStart, lineLength - valueStart, StandardCharsets.UTF_8);
      }
      // id and retry are of no use to a proxy that never reconnects mid-answer
    }
    // A final event without its blank line still counts; the translator decides if the stream
    // was complete.
    return dataLines == 0
        ? null
        : new Event(event, Arrays.copyOf(data, dataLength), dataLines == 1);
  }

  /** Adds to the event's data; its size is bounded by the event's, which readLine enforces. */
  private void appendData(byte[] from, int offset, int count) {
    if (dataLength + count > data.length) {
      data = Arrays.copyOf(data, Math.max(dataLength + count, data.length * 2));
    }
    System.arraycopy(from, offset, data, dataLength, count);
    dataLength += count;
  }

  /**
   * Whether the next {@link #next()} will return an event without reading from the stream: a whole
   * event (a {@code data} line, then a blank line) is already in the buffer. A caller that holds
   * output back while this is true and sends it when it is false never delays what it wrote behind
   * a wait for the upstream.
   */
  public boolean eventBuffered() {
    boolean data = false;
    int i = position;
    if (afterCarriageReturn && i < end && buffer[i] == '\n') {
      i++;
    }
    while (i < end) {
      int start = i;
      while (i < end && buffer[i] != '\n' && buffer[i] != '\r') {
        i++;
      }
      if (i == end) {
        return false; // a line still arriving
      }
      int length = i - start;
      if (buffer[i] == '\r' && i + 1 < end && buffer[i + 1] == '\n') {
        i++;
      }
      i++;
      if (length == 0) {
        if (data) {
          return true;
        }
      } else if (isDataField(start, length)) {
        data = true;
      }
    }
    return false;
  }

  private boolean isDataField(int start, int length) {
    if (length < DATA.length
        || !Arrays.equals(buffer, start, start + DATA.length, DATA, 0, DATA.length)) {
      return false;
    }
    return length == DATA.length || buffer[start + DATA.length] == ':';
  }

  /**
   * Reads one line (ended by LF, CR or CRLF) into {@link #line}; false at the end of the stream
   * with nothing read.
   *
   * @param room bytes the line may hold before the event is too large
   */
  private boolean readLine(long room) throws IOException {
    lineLength = 0;
    boolean any = false;
    while (true) {
      if (position == end) {
        end = in.read(buffer, 0, buffer.length);
        position = 0;
        if (end <= 0) {
          end = 0;
          return any;
        }
      }
      if (afterCarriageReturn) {
        afterCarriageReturn = false;
        if (buffer[position] == '\n') {
          position++;
          continue;
        }
      }
      any = true;
      int start = position;
      while (position < end && buffer[position] != '\n' && buffer[position] != '\r') {
        position++;
      }
      append(start, position - start, room);
      if (position < end) {
        afterCarriageReturn = buffer[position] == '\r';
        position++;
        return true;
      }
    }
  }

  private void append(int from, int count, long room) throws EventTooLargeException {
    if (lineLength + (long) count > room) {
      throw new EventTooLargeException(maxEventBytes);
    }
    if (lineLength + count > line.length) {
      line = Arrays.copyOf(line, Math.max(lineLength + count, line.length * 2));
    }
    System.arraycopy(buffer, from, line, lineLength, count);
    lineLength += count;
  }

  private int indexOfColon() {
    for (int i = 0; i < lineLength; i++) {
      if (line[i] == ':') {
        return i;
      }
    }
    return -1;
  }

  private boolean isField(byte[] name, int fieldEnd) {
    return fieldEnd == name.length && Arrays.equals(line, 0, fieldEnd, name, 0, name.length);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
