package io.aihandler.controllers.hosted;

import java.time.Duration;
import java.util.Optional;

/**
 * What a provider said about a key. The detail names the call and the HTTP status or the kind of
 * network failure; it never quotes the provider's response body, which may echo part of the key.
 *
 * @param outcome the verdict
 * @param httpStatus the HTTP status, when there was a response
 * @param detail a human-readable account, safe to publish
 * @param retryAfter how long the provider asked us to wait (a 429's {@code Retry-After}), if it did
 */
public record VerificationResult(
    Outcome outcome, Integer httpStatus, String detail, Optional<Duration> retryAfter) {

  /** The verdicts, each with the condition reason it is reported under. */
  public enum Outcome {
    /** The provider accepted the key. */
    VALID("Valid"),
    /** The provider refused the key (401 or 403). */
    INVALID("Invalid"),
    /** No answer: connection refused, timeout, or a 5xx; says nothing about the key. */
    UNREACHABLE("Unreachable"),
    /** 429: the key authenticated far enough to be rate limited; say nothing yet. */
    RATE_LIMITED("RateLimited"),
    /** Any other answer, e.g. 404 from a wrong baseUrl. */
    UNEXPECTED_RESPONSE("UnexpectedResponse");

    private final String reason;

    Outcome(String reason) {
      this.reason = reason;
    }

    /** The reason of the CredentialsValid condition. */
    public String reason() {
      return reason;
    }
  }

  public VerificationResult {
    retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
  }
}
