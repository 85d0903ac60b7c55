package io.aihandler.router.provider;

import java.time.Duration;

/**
 * An upstream failure in terms the router acts on.
 *
 * @param status HTTP status to report (the provider's; 529 overloaded is reported as 503)
 * @param kind what failed, deciding retry and fallback
 * @param type OpenAI error {@code type}, e.g. {@code invalid_request_error}, {@code rate_limit_error}
 * @param code OpenAI error {@code code} or null
 * @param message the provider's message, safe to show (providers do not echo keys; the HTTP layer
 *     redacts anything that looks like one anyway)
 * @param retryAfter the provider's {@code Retry-After} (or equivalent), or null
 */
public record UpstreamError(
    int status, Kind kind, String type, String code, String message, Duration retryAfter) {

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
