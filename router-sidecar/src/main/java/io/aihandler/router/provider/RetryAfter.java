package io.aihandler.router.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * How long a provider asks to be left alone, from its response headers: OpenAI's {@code
 * retry-after-ms}, else {@code Retry-After} in seconds or as an HTTP date (RFC 1123). One parser
 * for every provider, so they all read the same header the same way.
 */
public final class RetryAfter {

  /** Reads HTTP dates against the system clock. */
  public static final RetryAfter SYSTEM = new RetryAfter(Clock.systemUTC());

  private final Clock clock;

  public RetryAfter(Clock clock) {
    this.clock = clock;
  }

  /**
   * The wait the headers ask for, or null when they ask for none or say it in a form that cannot be
   * read. A date in the past means no wait.
   *
   * @param headers response headers with lower-case names
   */
  public Duration of(Map<String, String> headers) {
    if (headers == null) {
      return null;
    }
    Duration ms = millis(headers.get("retry-after-ms"));
    return ms != null ? ms : retryAfter(headers.get("retry-after"));
  }

  private static Duration millis(String value) {
    Double n = number(value);
    return n == null ? null : Duration.ofMillis(n.longValue());
  }

  private Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Double seconds = number(value);
    if (seconds != null) {
      return Duration.ofMillis((long) (seconds * 1000));
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException notADate) {
      return null;
    }
  }

  /** A non-negative finite number, or null. */
  private static Double number(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      double d = Double.parseDouble(value.trim());
      return Double.isFinite(d) && d >= 0 ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
