package io.aihandler.router.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventReaderTest {

  private static List<SseEventReader.Event> read(InputStream in, long max) throws IOException {
    List<SseEventReader.Event> events = new ArrayList<>();
    try (SseEventReader r = new SseEventReader(in, max)) {
      for (SseEventReader.Event e = r.next(); e != null; e = r.next()) {
        events.add(e);
      }
    }
    return events;
  }

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Hands out one byte per read, so every boundary falls between two reads somewhere. */
  private static InputStream trickle(String s) {
    return new InputStream() {
      final byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int i;

      @Override
      public int read() {
        return i < b.length ? b[i++] & 0xff : -1;
      }

      @Override
      public int read(byte[] out, int off, int len) {
        if (i >= b.length) {
          return -1;
        }
        out[off] = b[i++];
        return 1;
      }
    };
  }

  @Test
  void anEventMadeFromTextIsOneLineOnlyWithoutEitherLineBreak() {
    assertThat(new SseEventReader.Event(null, "{\"a\":1}").oneLine()).isTrue();
    assertThat(new SseEventReader.Event(null, "one\ntwo").oneLine()).isFalse();
    assertThat(new SseEventReader.Event(null, "one\rtwo").oneLine()).isFalse();
  }

  @Test
  void readsNamedEventsMultiLineDataAndSkipsComments() throws IOException {
    String stream =
        ": keep-alive\n\nevent: message_start\ndata: {\"a\":1}\n\ndata: one\ndata:two\nid: 7\n\n"
            + "data: ünïcödé\n\n";
    for (InputStream in : List.of(bytes(stream), trickle(stream))) {
      assertThat(read(in, 1024))
          .containsExactly(
              new SseEventReader.Event("message_start", "{\"a\":1}"),
              new SseEventReader.Event(null, "one\ntwo"),
              new SseEventReader.Event(null, "ünïcödé"));
    }
  }

  @Test
  void acceptsCrLfAndCrLineEndingsAndALastEventWithoutItsBlankLine() throws IOException {
    String stream = "data: a\r\n\r\ndata: b\r\rdata: c";
    for (InputStream in : List.of(bytes(stream), trickle(stream))) {
      assertThat(read(in, 1024))
          .extracting(SseEventReader.Event::data)
          .containsExactly("a", "b", "c");
    }
  }

  @Test
  void anEventUpToTheLimitIsRead() throws IOException {
    String data = "x".repeat(100);
    // "data: " + 100 + newline = 107 bytes
    assertThat(read(bytes("data: " + data + "\n\n"), 107))
        .extracting(SseEventReader.Event::data)
        .containsExactly(data);
  }

  @Test
  void aLineLongerThanTheLimitStopsReadingEarly() {
    CountingStream in = new CountingStream(10_000_000);
    assertThatThrownBy(() -> read(in, 64 * 1024))
        .isInstanceOf(SseEventReader.EventTooLargeException.class)
        .hasMessageContaining(String.valueOf(64 * 1024));
    assertThat(in.served).as("bytes read before giving up").isLessThan(64 * 1024 + 16 * 1024);
  }

  @Test
  void dataLinesThatNeverMeetABlankLineAreBoundedToo() {
    String lines = "data: 0123456789\n".repeat(10_000);
    assertThatThrownBy(() -> read(bytes(lines), 4096))
        .isInstanceOf(SseEventReader.EventTooLargeException.class);
  }

  @Test
  void manySmallEventsAreNotAddedUp() throws IOException {
    String events = "data: 0123456789\n\n".repeat(10_000);
    assertThat(read(bytes(events), 64)).hasSize(10_000);
  }

  /** "data: " then endless filler, counting what was read. */
  private static final class CountingStream extends InputStream {
    private final long size;
    long served;

    CountingStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return served++ < 6 ? "data: ".charAt((int) served - 1) : served > size ? -1 : 'a';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = 0;
      while (n < len && served < size) {
        b[off + n++] = (byte) read();
      }
      return n == 0 ? -1 : n;
    }
  }

  /** Hands out the given pieces, one per read, as a socket does when they arrive apart. */
  private static InputStream pieces(String... parts) {
    return new InputStream() {
      int next;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] out, int off, int len) {
        if (next == parts.length) {
          return -1;
        }
        byte[] b = parts[next++].getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, out, off, b.length);
        return b.length;
      }
    };
  }

  @Test
  void saysAWholeEventIsBufferedOnlyWhenTheNextOneNeedsNoRead() throws IOException {
    SseEventReader r =
        new SseEventReader(
            pieces(
                "data: 1\n\ndata: 2\r\n\r\ndata: 3\n",
                "\n: keep-alive\n\n",
                "data: 4\n\nevent: e\ndat",
                "a: 5\n\n"),
            1024);
    assertThat(r.eventBuffered()).as("nothing read yet").isFalse();
    assertThat(r.next().data()).isEqualTo("1");
    assertThat(r.eventBuffered()).as("event 2 is whole in the buffer, CRLF-framed").isTrue();
    assertThat(r.next().data()).isEqualTo("2");
    assertThat(r.eventBuffered()).as("event 3 lacks its blank line").isFalse();
    assertThat(r.next().data()).isEqualTo("3");
    assertThat(r.eventBuffered()).as("a comment alone is no event: next() would read on").isFalse();
    assertThat(r.next().data()).isEqualTo("4");
    assertThat(r.eventBuffered()).as("event 5's data line is still arriving").isFalse();
    assertThat(r.next()).isEqualTo(new SseEventReader.Event("e", "5"));
    assertThat(r.eventBuffered()).isFalse();
    assertThat(r.next()).isNull();
  }

  @Test
  void aFieldThatOnlyStartsWithDataIsNoDataLine() throws IOException {
    SseEventReader r = new SseEventReader(pieces("data: 1\n\ndatum: x\n\ndata: 2\n\n"), 1024);
    assertThat(r.next().data()).isEqualTo("1");
    // "datum: x" and its blank line make no event, but "data: 2" after it is whole.
    assertThat(r.eventBuffered()).isTrue();
    assertThat(r.next().data()).isEqualTo("2");
  }
}
