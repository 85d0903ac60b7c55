package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * Exponential backoff with jitter between retries of one target. A provider's {@code Retry-After}
 * is honoured when longer.
 *
 * @param initial wait before the first retry, doubled on each further one; default 250ms
 * @param max longest wait; default 10s
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Backoff(String initial, String max) {

  public Backoff {
    initial = initial == null ? "250ms" : initial;
    max = max == null ? "10s" : max;
  }

  public Duration initialDuration() {
    return Durations.parse(initial);
  }

  public Duration maxDuration() {
    return Durations.parse(max);
  }
}
