package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks an in-cluster backend whether it can serve: vLLM answers {@code GET /health} (beside, not
 * under, its {@code /v1} API) with 200 once its model is loaded. Each probe is bounded by its
 * timeout; any other answer, a refused connection or a timeout means not ready yet.
 */
public final class ReadinessProbe implements AutoCloseable {

  /** How long one probe may take, connecting included. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Most of a health answer read; vLLM's is empty. */
  private static final int MAX_BODY_BYTES = 4096;

  private final Duration timeout;
  // Built at the first probe: an HTTP client loads the JVM's trust store, about a fifth of the
  // sidecar's start, and most sidecars never probe (no backend of theirs scales to zero).
  private HttpClient http;
  private boolean closed;

  public ReadinessProbe(Duration timeout) {
    this.timeout = timeout;
  }

  private synchronized HttpClient http() throws IOException {
    if (closed) {
      throw new IOException("the readiness probe is closed");
    }
    if (http == null) {
      http =
          HttpClient.newBuilder()
              .connectTimeout(timeout)
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
    }
    return http;
  }

  /**
   * The health endpoint of a backend: its base URL without a trailing {@code /v1}, plus /health.
   */
  static URI healthUri(Backend b) {
    String base = b.effectiveBaseUrl();
    if (base.endsWith("/v1")) {
      base = base.substring(0, base.length() - 3);
    }
    return URI.create(base + "/health");
  }

  /** Whether the backend answers its health endpoint with 200 within the timeout. */
  public boolean ready(Backend b) {
    try {
      HttpResponse<InputStream> r =
          http()
              .send(
                  HttpRequest.newBuilder(healthUri(b)).timeout(timeout).GET().build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = r.body()) {
        body.readNBytes(MAX_BODY_BYTES);
      }
      return r.statusCode() == 200;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (http != null) {
      http.shutdownNow(); // a probe under way is abandoned, not waited for
    }
  }
}
