package io.aihandler.router.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Captures everything logged through the JDK's logging (the sidecar's System.Logger backend). */
public final class LogCapture extends Handler implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final java.util.logging.Formatter formatter;
  private final Logger root = Logger.getLogger("");

  public LogCapture() {
    this(new SimpleFormatter());
  }

  /** Captures lines as {@code formatter} writes them, e.g. the JSON one. */
  public LogCapture(java.util.logging.Formatter formatter) {
    this.formatter = formatter;
    setLevel(Level.ALL);
    root.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    lines.add(formatter.format(record));
  }

  public List<String> lines() {
    return lines;
  }

  /**
   * Waits (up to 5s) for a line: the access line is written right after the response is sent, so a
   * client can see the response first.
   */
  public String awaitLine(java.util.function.Predicate<String> match) throws InterruptedException {
    long end = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < end) {
      for (String l : lines) {
        if (match.test(l)) {
          return l;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no log line matched");
  }

  public String all() {
    return String.join("", lines);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
