package io.aihandler.logging;

/**
 * The request a thread is serving, as its log lines name it: every line logged on that thread while
 * a scope is open carries the request and trace ids. Each request runs on a thread of its own, so a
 * thread-local holds them without locks.
 */
public final class LogContext {

  private static final ThreadLocal<Ids> CURRENT = new ThreadLocal<>();

  private LogContext() {}

  /**
   * The ids of one request.
   *
   * @param requestId the request's {@code x-request-id}
   * @param traceId the W3C trace id (32 hex digits), or null when the request is not traced
   * @param spanId the id of the request's span (16 hex digits), or null when not traced
   */
  public record Ids(String requestId, String traceId, String spanId) {}

  /** The ids of the request this thread serves, or null. */
  public static Ids current() {
    return CURRENT.get();
  }

  /** Names the request this thread serves until the returned scope is closed. */
  public static Scope open(Ids ids) {
    Ids previous = CURRENT.get();
    CURRENT.set(ids);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** Ends what {@link #open} began; closing twice is harmless. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
