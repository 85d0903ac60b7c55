package io.aihandler.router.routing;

import io.aihandler.router.ApiException;

/**
 * How a request ended: the one vocabulary of the {@code outcome} label in metrics, the access log
 * and {@link CallRecord}.
 */
public enum Outcome {
  SUCCESS("success"),
  /** The request was wrong (4xx); no backend could have served it. */
  CLIENT_ERROR("client_error"),
  /** The client went away, or stopped reading, before its answer was complete. */
  CLIENT_CLOSED("client_closed"),
  /** The data class allows none of the route's backends: nothing was sent. */
  DATA_POLICY_BLOCKED("data_policy_blocked"),
  /** Output failed schema validation after every repair and fallback. */
  INVALID_OUTPUT("invalid_output"),
  TIMEOUT("timeout"),
  RATE_LIMITED("rate_limited"),
  /** Every target was unavailable: open circuit, local limits, no key. */
  UNAVAILABLE("unavailable"),
  UPSTREAM_ERROR("upstream_error"),
  /** A stream failed after its first byte reached the client. */
  STREAM_ERROR("stream_error"),
  /** The sidecar refused the request because it serves as many as it may at once. */
  OVERLOADED("overloaded"),
  INTERNAL_ERROR("internal_error");

  private final String label;

  Outcome(String label) {
    this.label = label;
  }

  /** The label value, e.g. {@code client_closed}. */
  public String label() {
    return label;
  }

  /** The outcome of a request that ended in an error the router did not already classify. */
  public static Outcome of(ApiException e) {
    if ("data_policy_blocked".equals(e.code())) {
      return DATA_POLICY_BLOCKED;
    }
    if ("overloaded".equals(e.code())) {
      return OVERLOADED;
    }
    if (e.status() == 504) {
      return TIMEOUT;
    }
    if (e.status() == 503) {
      return UNAVAILABLE;
    }
    return e.status() < 500 ? CLIENT_ERROR : INTERNAL_ERROR;
  }
}
