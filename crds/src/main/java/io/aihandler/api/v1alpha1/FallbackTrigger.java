package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Failures after which a request moves on to the route's next target. */
public enum FallbackTrigger {
  /** The backend answered 5xx (or Anthropic's 529 overloaded). */
  @JsonProperty("serverError")
  SERVER_ERROR,
  /** The backend answered 429. */
  @JsonProperty("rateLimited")
  RATE_LIMITED,
  /** No answer, or no first token, within the timeout. */
  @JsonProperty("timeout")
  TIMEOUT,
  /** The output failed schema validation after all repair attempts. */
  @JsonProperty("invalidOutput")
  INVALID_OUTPUT,
  /** The backend is unreachable, not ready, or its circuit is open. */
  @JsonProperty("unavailable")
  UNAVAILABLE
}
