package io.aihandler.router.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP to the providers over the JDK client: HTTP/2 over TLS where the provider offers it, HTTP/1.1
 * to plain-text in-cluster endpoints (vLLM), one shared connection pool, blocking calls that park
 * only the request's virtual thread.
 */
public final class UpstreamClient implements AutoCloseable {

  /** Largest error body read from a provider; the rest is not needed to classify the error. */
  private static final int MAX_ERROR_BODY = 64 * 1024;

  // Built on first use: the client sets up TLS (a tenth of a second of class loading and key
  // material) and the timer thread is needed only by streams, so neither delays start-up.
  private volatile HttpClient http;
  private volatile ScheduledExecutorService timers;
  private volatile boolean closed;

  public UpstreamClient() {}

  private HttpClient http() {
    HttpClient h = http;
    if (h == null) {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the upstream client is closed");
        }
        h = http;
        if (h == null) {
          h =
              HttpClient.newBuilder()
                  .connectTimeout(Duration.ofSeconds(10))
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .executor(Executors.newVirtualThreadPerTaskExecutor())
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
                  1, r -> Thread.ofPlatform().daemon().name("aihandler-upstream-timer").unstarted(r));
          // Every event of a stream arms a timer and cancels it when the next event comes. Left in
          // the queue, cancelled timers would pile up for their whole delay (30 s of idle timeout,
          // a hundred thousand per second under load) and fill the heap.
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

  /** Sends a request and reads the whole answer within the timeout. */
  public Response send(URI uri, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request = request(uri, headers, body, timeout);
    CompletableFuture<HttpResponse<byte[]>> future =
        http().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    try {
      HttpResponse<byte[]> r = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Response(r.statusCode(), lowerCase(r.headers().map()), r.body());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new UpstreamTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw asIo(e.getCause());
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    }
  }

  /**
   * Sends a streaming request and waits for the response headers within the timeout. A non-2xx
   * answer's body is read whole (bounded) so it can be classified.
   */
  public StreamResponse open(URI uri, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request = request(uri, headers, body, timeout);
    CompletableFuture<HttpResponse<InputStream>> future =
        http().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<InputStream> r;
    try {
      r = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new UpstreamTimeoutException("no response headers within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw asIo(e.getCause());
    }
    return new StreamResponse(r.statusCode(), lowerCase(r.headers().map()), r.body());
  }

  /** Reads at most 64 KiB of an error body. */
  public static byte[] readErrorBody(InputStream in) throws IOException {
    try (in) {
      return in.readNBytes(MAX_ERROR_BODY);
    }
  }

  /**
   * Runs {@code onExpiry} after a delay unless cancelled: the read timeouts of streams, which close
   * the stream to unblock its reader.
   */
  public ScheduledFuture<?> schedule(Duration delay, Runnable onExpiry) {
    return timers().schedule(onExpiry, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
  }

  private static HttpRequest request(
      URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .version(
                "https".equals(uri.getScheme())
                    ? HttpClient.Version.HTTP_2
                    : HttpClient.Version.HTTP_1_1)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::setHeader);
    return b.build();
  }

  private static Map<String, String> lowerCase(Map<String, List<String>> headers) {
    Map<String, String> out = new HashMap<>();
    headers.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            out.put(k.toLowerCase(Locale.ROOT), v.getFirst());
          }
        });
    return out;
  }

  private static IOException asIo(Throwable t) {
    if (t instanceof HttpTimeoutException h) {
      return new UpstreamTimeoutException(h.getMessage());
    }
    if (t instanceof IOException io) {
      return io;
    }
    return new IOException(t == null ? "upstream call failed" : t.getClass().getSimpleName(), t);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (timers != null) {
      timers.shutdownNow();
    }
    if (http != null) {
      http.close();
    }
  }
}
