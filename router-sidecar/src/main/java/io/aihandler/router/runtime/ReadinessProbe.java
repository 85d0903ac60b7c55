package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import io.aihandler.router.metrics.RouterMetrics;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks an in-cluster backend whether it can serve: vLLM answers {@code GET /health} (beside, not
 * under, its {@code /v1} API) with 200 once its model is loaded. Each probe is one exchange bounded
 * as a whole by its timeout (connecting, the answer's head and its body, however slowly the body
 * comes) and reads at most {@link #MAX_BODY_BYTES} of the answer. Any other answer, a refused
 * connection, a timeout or a longer body means not ready yet. Every probe is counted by its result;
 * a probe that timed out or was answered too long is logged when its backend's last probe was not.
 */
public final class ReadinessProbe implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.aihandler.router.capacity");

  /** How long one probe may take, from connecting to the last byte of the answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Most of a health answer read; vLLM's is empty. */
  static final int MAX_BODY_BYTES = 4096;

  /** A probe's result, as {@code aihandler_readiness_probes_total} labels it. */
  enum Result {
    READY("ready"),
    NOT_READY("not_ready"),
    UNREACHABLE("unreachable"),
    TIMEOUT("timeout"),
    TOO_LARGE("too_large");

    final String label;

    Result(String label) {
      this.label = label;
    }
  }

  private final Duration timeout;
  private final RouterMetrics metrics;
  // Built at the first probe: an HTTP client loads the JVM's trust store, about a fifth of the
  // sidecar's start, and most sidecars never probe (no backend of theirs scales to zero).
  private HttpClient http;
  private boolean closed;
  private final Map<String, Result> last = new ConcurrentHashMap<>();

  public ReadinessProbe(Duration timeout, RouterMetrics metrics) {
    this.timeout = timeout;
    this.metrics = metrics;
  }

  private synchronized HttpClient http() {
    if (closed) {
      throw new IllegalStateException("the readiness probe is closed");
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

  /** Whether the backend answers its health endpoint with 200, whole, within the timeout. */
  public boolean ready(Backend b) {
    Result r;
    String detail = null;
    try {
      BoundedExchange.Result answer =
          BoundedExchange.send(
              http(),
              HttpRequest.newBuilder(healthUri(b)).timeout(timeout).GET().build(),
              timeout,
              MAX_BODY_BYTES);
      switch (answer) {
        case BoundedExchange.Answered a -> r = a.status() == 200 ? Result.READY : Result.NOT_READY;
        case BoundedExchange.Failed f -> {
          detail = f.detail();
          r =
              switch (f.failure()) {
                case TIMEOUT -> Result.TIMEOUT;
                case TOO_LARGE -> Result.TOO_LARGE;
                case UNREACHABLE -> Result.UNREACHABLE;
              };
        }
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      r = Result.UNREACHABLE; // a base URL the client cannot send to
      detail = e.getClass().getSimpleName();
    }
    metrics.readinessProbe(b.name(), r.label);
    Result before = last.put(b.name(), r);
    if ((r == Result.TIMEOUT || r == Result.TOO_LARGE) && before != r) {
      LOG.log(
          Level.WARNING,
          "health probe of backend {0} failed ({1}): {2}; taken as not ready",
          b.name(),
          r.label,
          detail);
    }
    return r == Result.READY;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (http != null) {
      http.shutdownNow(); // a probe under way is abandoned, not waited for
    }
  }
}
