package io.aihandler.router.provider;

import java.time.Duration;

/**
 * An upstream failure in terms the router acts on.
 *
 * @param status HTTP status to report (the provider's; 529 overloaded is reported as 503)
 * @param kind what failed, deciding retry and fallback
 * @param type OpenAI error {@code type}, e.g. {@code invalid_request_error}, {@code
 *     rate_limit_error}
 * @param code OpenAI error {@code code} or null
 * @param message the provider's message, safe to show (providers do not echo keys; the HTTP layer
 *     redacts anything that looks like one anyway)
 * @param retryAfter the provider's {@code Retry-After} (or equivalent), or null
 */
public record UpstreamError(
    int status, Kind kind, String type, String code, String message, Duration retryAfter) {

  /**
   * The error an HTTP status means, with the OpenAI error type that goes with it: 401/403
   * authentication, 429 rate limited, 408 and 5xx server errors (Anthropic's 529 overloaded is
   * reported as 503), other 4xx client errors; a status that is no error at all is reported as 502.
   *
   * @param code the provider's own error code or type, kept for the client
   */
  public static UpstreamError ofStatus(
      int status, String code, String message, Duration retryAfter) {
    int reported = status == 529 ? 503 : status;
    Kind kind;
    String type;
    if (status == 401 || status == 403) {
      kind = Kind.AUTHENTICATION;
      type = status == 401 ? "authentication_error" : "permission_error";
    } else if (status == 429) {
      kind = Kind.RATE_LIMITED;
      type = "rate_limit_error";
    } else if (status == 408 || status >= 500) {
      kind = Kind.SERVER_ERROR;
      type = "server_error";
    } else if (status >= 400) {
      kind = Kind.CLIENT_ERROR;
      type = "invalid_request_error";
    } else {
      kind = Kind.SERVER_ERROR;
      type = "server_error";
      reported = 502;
    }
    return new UpstreamError(reported, kind, type, code, message, retryAfter);
  }

  /** Failure classes with distinct retry semantics. */
  public enum Kind {
    /** 400/404/413/422: the request is wrong; retrying or falling back will not help. */
    CLIENT_ERROR,
    /** 401/403: the key is wrong or lacks access; never retried on the same key. */
    AUTHENTICATION,
    /** 429: back off (honour Retry-After) or go elsewhere. */
    RATE_LIMITED,
    /** 5xx, 529 overloaded: retry with backoff, then fall back. */
    SERVER_ERROR
  }
}
