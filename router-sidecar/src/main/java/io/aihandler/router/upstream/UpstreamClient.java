package io.aihandler.router.upstream;

import io.aihandler.router.ApiException;
import io.aihandler.router.config.SidecarHeap;
import io.aihandler.router.runtime.CoarseTimer;
import io.aihandler.router.runtime.MemoryCharge;
import io.aihandler.router.runtime.ThreadDeadline;
import io.aihandler.router.runtime.TimerTaskGuard;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 to the providers over Helidon's blocking WebClient: keep-alive connections from one
 * pool, each call made on the request's own virtual thread with no hand-off to another thread.
 *
 * <p>A blocking client bounds time in two ways: a socket read timeout on every read, and a deadline
 * timer that interrupts the calling virtual thread (which closes the socket it is blocked on) when
 * the whole call outlasts its timeout. Streams are bounded by their reader, which closes the body
 * (and with it the connection) when a silence outlasts its limit.
 */
public final class UpstreamClient implements AutoCloseable {

  // Built on first use: the client sets up TLS (class loading and key material) and the timer
  // thread is not needed before the first call, so neither delays start-up.
  private volatile Http1Client http;
  private volatile ScheduledExecutorService timers;
  private volatile boolean closed;

  private final TimerTaskGuard guard;
  // The deadline of every call: armed and cancelled once per call, it almost never strikes.
  private final CoarseTimer deadlines;

  public UpstreamClient() {
    this(TimerTaskGuard.loggingOnly("upstream-timer"));
  }

  /**
   * @param guard logs and counts a timer task that fails
   */
  public UpstreamClient(TimerTaskGuard guard) {
    this.guard = guard;
    this.deadlines = new CoarseTimer("aihandler-upstream-deadlines", DEADLINE_TICK, guard);
  }

  /** How late a call's deadline may strike. */
  static final Duration DEADLINE_TICK = Duration.ofMillis(10);

  private Http1Client http() {
    Http1Client h = http;
    if (h == null) {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the upstream client is closed");
        }
        h = http;
        if (h == null) {
          h =
              Http1Client.builder()
                  // Providers are verified like any HTTPS client does: the JVM's trust store for
                  // the chain, and the certificate's names against the host called.
                  .tls(tls -> tls.endpointIdentificationAlgorithm("HTTPS").trustAll(false))
                  .connectTimeout(Duration.ofSeconds(10))
                  .followRedirects(false)
                  // A pool of its own, so that closing this client closes its connections.
                  .shareConnectionCache(false)
                  .addService(new CloseDelimitedBodies())
                  .build();
          http = h;
        }
      }
    }
    return h;
  }

  private ScheduledExecutorService timers() {
    ScheduledExecutorService t = timers;
    if (t == null) {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the upstream client is closed");
        }
        t = timers;
        if (t == null) {
          ScheduledThreadPoolExecutor timer =
              new ScheduledThreadPoolExecutor(
                  1,
                  r -> Thread.ofPlatform().daemon().name("aihandler-upstream-timer").unstarted(r));
          // Every call and every stream event arms a timer and cancels it when the answer comes.
          // Left in the queue, cancelled timers would pile up for their whole delay (30 s of idle
          // timeout, a hundred thousand per second under load) and fill the heap.
          timer.setRemoveOnCancelPolicy(true);
          t = timer;
          timers = t;
        }
      }
    }
    return t;
  }

  /** A whole upstream answer. */
  public record Response(int status, Map<String, String> headers, byte[] body) {}

  /** An upstream stream whose headers arrived; the body is still flowing. */
  public record StreamResponse(int status, Map<String, String> headers, InputStream body) {}

  /** The upstream did not answer in time. */
  public static final class UpstreamTimeoutException extends IOException {
    public UpstreamTimeoutException(String message) {
      super(message);
    }
  }

  /** A whole answer was larger than {@link UpstreamLimits#maxResponseBytes()}; it was not read. */
  public static final class ResponseTooLargeException extends IOException {
    private final long limit;

    public ResponseTooLargeException(long limit) {
      super("the answer is larger than " + limit + " bytes");
      this.limit = limit;
    }

    public long limit() {
      return limit;
    }
  }

  /**
   * Sends a request and reads the whole answer within the timeout. A 2xx answer is read up to
   * {@code maxResponseBytes} (more ends the call with {@link ResponseTooLargeException}), any other
   * up to {@code maxErrorBytes}, enough to classify it. Whatever is left unread is never read: the
   * connection is closed instead.
   */
  public Response send(
      URI uri, Map<String, String> headers, byte[] body, Duration timeout, UpstreamLimits limits)
      throws IOException, InterruptedException {
    return send(uri, headers, body, timeout, limits, MemoryCharge.NONE);
  }

  /**
   * As above, charging the answer to {@code memory} as it is read: {@value #HEAP_PER_ANSWER_BYTE}
   * bytes of heap per byte (its bytes, its tree and the translated copy). A charge that does not
   * fit ends the call with the request's 503.
   */
  public Response send(
      URI uri,
      Map<String, String> headers,
      byte[] body,
      Duration timeout,
      UpstreamLimits limits,
      MemoryCharge memory)
      throws IOException, InterruptedException {
    Http1ClientRequest request = request(uri, headers, timeout);
    ThreadDeadline deadline = new ThreadDeadline(timeout, deadlines);
    try (HttpClientResponse r = request.submit(body)) {
      InputStream in = r.inputStream();
      int status = r.status().code();
      byte[] answer;
      if (status / 100 == 2) {
        long declared = r.headers().contentLength().orElse(-1);
        if (declared > limits.maxResponseBytes()) {
          throw new ResponseTooLargeException(limits.maxResponseBytes());
        }
        answer =
            readCharged(in, declared, UpstreamLimits.asInt(limits.maxResponseBytes()) + 1, memory);
        if (answer.length > limits.maxResponseBytes()) {
          throw new ResponseTooLargeException(limits.maxResponseBytes());
        }
      } else {
        answer =
            readCharged(
                in,
                r.headers().contentLength().orElse(-1),
                UpstreamLimits.asInt(limits.maxErrorBytes()),
                memory);
      }
      deadline.finish(); // a complete answer counts even when the deadline struck just after it
      return new Response(status, lowerCase(r), answer);
    } catch (ResponseTooLargeException | ApiException e) {
      deadline.finish();
      throw e;
    } catch (IOException | RuntimeException e) {
      throw failure(deadline, e, "no complete answer within " + timeout.toMillis() + " ms");
    }
  }

  /** Heap one byte of a whole answer takes while it is served. */
  public static final int HEAP_PER_ANSWER_BYTE = SidecarHeap.BYTES_PER_ANSWER_BYTE;

  private static final int CHARGE_STEP = 64 * 1024;

  /**
   * Reads at most {@code max} bytes, charging each step to {@code memory} before reading it. A body
   * of declared length within {@code max} is read straight into an array of its size: no growing
   * buffer, no copy, and reads of what is there rather than of a fixed 8 KiB.
   */
  private static byte[] readCharged(InputStream in, long declared, int max, MemoryCharge memory)
      throws IOException {
    if (declared >= 0 && declared <= max) {
      byte[] body = new byte[(int) declared];
      memory.charge(declared * HEAP_PER_ANSWER_BYTE);
      int n = 0;
      while (n < body.length) {
        int read = in.read(body, n, body.length - n);
        if (read < 0) {
          return Arrays.copyOf(body, n); // ended short of its length: what came is the answer
        }
        n += read;
      }
      // The end of the entity is read too: only an entity read to its end gives the connection
      // back to the pool for the next call.
      in.read(); // at the declared length: returns -1 at once
      return body;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.min(max, 8192));
    byte[] buf = new byte[8192];
    long charged = 0;
    while (out.size() < max) {
      if (out.size() + buf.length > charged) {
        long step = Math.min(CHARGE_STEP, (long) max - charged);
        memory.charge(step * HEAP_PER_ANSWER_BYTE);
        charged += step;
      }
      int n = in.read(buf, 0, Math.min(buf.length, max - out.size()));
      if (n < 0) {
        break;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * Sends a streaming request and waits for the response headers within {@code headersTimeout}. No
   * single read of the body then waits longer than {@code streamTimeout}; shorter limits (first
   * token, idle) are the reader's, which closes the body to end a wait. A non-2xx answer's body is
   * read whole (bounded) so it can be classified.
   */
  public StreamResponse open(
      URI uri,
      Map<String, String> headers,
      byte[] body,
      Duration headersTimeout,
      Duration streamTimeout)
      throws IOException, InterruptedException {
    Http1ClientRequest request = request(uri, headers, max(headersTimeout, streamTimeout));
    ThreadDeadline deadline = new ThreadDeadline(headersTimeout, deadlines);
    HttpClientResponse r;
    try {
      r = request.submit(body);
    } catch (RuntimeException e) {
      throw failure(deadline, e, "no response headers within " + headersTimeout.toMillis() + " ms");
    }
    deadline.finish();
    return new StreamResponse(r.status().code(), lowerCase(r), new StreamBody(r));
  }

  /** Reads at most {@code maxBytes} of an error body, then closes it (and the connection). */
  public static byte[] readErrorBody(InputStream in, long maxBytes) throws IOException {
    try (in) {
      return in.readNBytes(UpstreamLimits.asInt(maxBytes));
    }
  }

  /**
   * Runs {@code onExpiry} after a delay unless cancelled: the read timeouts of streams, which close
   * the stream to unblock its reader.
   */
  public ScheduledFuture<?> schedule(Duration delay, Runnable onExpiry) {
    return timers()
        .schedule(guard.guard(onExpiry), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
  }

  private Http1ClientRequest request(URI uri, Map<String, String> headers, Duration readTimeout) {
    Http1ClientRequest request = http().post().uri(uri).readTimeout(readTimeout);
    request.headers(h -> headers.forEach((name, value) -> h.set(HeaderNames.create(name), value)));
    return request;
  }

  private static Map<String, String> lowerCase(HttpClientResponse r) {
    Map<String, String> out = new HashMap<>();
    for (Header h : r.headers()) {
      if (!h.allValues().isEmpty()) {
        out.putIfAbsent(h.name().toLowerCase(Locale.ROOT), h.allValues().getFirst());
      }
    }
    return out;
  }

  /**
   * What a failed call throws: a timeout when the deadline struck or a socket read timed out, the
   * interruption when the calling thread was interrupted by someone else (shutdown), else the I/O
   * error.
   */
  private static IOException failure(ThreadDeadline deadline, Exception e, String timeoutMessage)
      throws InterruptedException {
    if (deadline.finish() || timedOut(e)) {
      return new UpstreamTimeoutException(timeoutMessage);
    }
    if (Thread.interrupted()) {
      InterruptedException interrupted =
          new InterruptedException("interrupted during an upstream call");
      interrupted.initCause(e);
      throw interrupted;
    }
    return asIo(e);
  }

  private static boolean timedOut(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static IOException asIo(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof UncheckedIOException u) {
      return u.getCause();
    }
    return new IOException(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * A stream's body. Closing it before the end closes the connection, which also ends a read
   * blocked on it in another thread; read failures of any kind surface as {@link IOException}.
   */
  private static final class StreamBody extends FilterInputStream {
    private final HttpClientResponse response;

    StreamBody(HttpClientResponse response) {
      super(response.inputStream());
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (RuntimeException e) {
        throw asIo(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (RuntimeException e) {
        throw asIo(e);
      }
    }

    @Override
    public void close() {
      response.close();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    deadlines.close();
    if (timers != null) {
      timers.shutdownNow();
    }
    if (http != null) {
      http.closeResource();
    }
  }
}
