package io.aihandler.controllers.advisor;

/**
 * A Prometheus query that gave no usable answer: unreachable, slow, refused, too large or not the
 * HTTP API's JSON. The message is safe for a status condition: it names the host and what went
 * wrong, never credentials in the URL.
 */
public final class PrometheusQueryException extends Exception {

  private final boolean unreachable;

  /** A query Prometheus answered unusably. */
  public PrometheusQueryException(String message) {
    super(message);
    this.unreachable = false;
  }

  /** A query that got no answer at all (connection refused, timeout) when {@code unreachable}. */
  public PrometheusQueryException(String message, Throwable cause, boolean unreachable) {
    super(message, cause);
    this.unreachable = unreachable;
  }

  /** Whether Prometheus could not be reached, rather than answering unusably. */
  public boolean unreachable() {
    return unreachable;
  }
}
