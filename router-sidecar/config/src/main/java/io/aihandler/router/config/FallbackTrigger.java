package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Failures that move a request on to the next target of its route. */
public enum FallbackTrigger {
  /** 5xx from the backend, or a connection failure. */
  @JsonProperty("serverError")
  SERVER_ERROR,
  /** 429 from the backend. */
  @JsonProperty("rateLimited")
  RATE_LIMITED,
  /** Per-try, first-token or stream-idle timeout. */
  @JsonProperty("timeout")
  TIMEOUT,
  /** Output that failed schema validation after all repair attempts. */
  @JsonProperty("invalidOutput")
  INVALID_OUTPUT,
  /** Open circuit, concurrency limit reached, or a rejected key (401/403). */
  @JsonProperty("unavailable")
  UNAVAILABLE
}
