package io.aihandler.router.config;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of the API's durations, used by the operator and the router alike: {@code 250ms},
 * {@code 30s}, {@code 1.5h}, {@code 1h30m}. It accepts exactly what the CRDs' {@code pattern}
 * admits at {@code kubectl apply} ({@link #PATTERN}; {@code ApiPatterns.DURATION} is the same
 * text), so a resource the API server stored never fails later for its durations.
 *
 * <p>The language: one to four parts, each an integer of at most six digits with an optional
 * fraction of at most nine digits, followed by {@code ms}, {@code s}, {@code m} or {@code h}. No
 * sign, no whitespace, no bare {@code 0}, no {@code us}/{@code ns}. The bounds keep every admitted
 * value below Go's limit (about 292 years), so each one is also a valid Go duration and fits a
 * {@link Duration#toNanos()}; fractions are exact to the nanosecond, finer digits are dropped as Go
 * drops them.
 */
public final class Durations {

  /** The whole language, anchored; the CRDs use this text as the OpenAPI pattern of durations. */
  public static final String PATTERN = "^([0-9]{1,6}(\\.[0-9]{1,9})?(ms|s|m|h)){1,4}$";

  private static final Pattern WHOLE = Pattern.compile(PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]{1,6})(?:\\.([0-9]{1,9}))?(ms|s|m|h)");

  private static final String EXAMPLES = "e.g. 250ms, 30s, 1.5m, 1h30m";

  /**
   * Durations already parsed. The config's records hold their durations as written and the router
   * asks for them on every request; a config has few distinct values, so each is parsed once.
   * Bounded, so that arbitrary input cannot grow it.
   */
  private static final Map<String, Duration> PARSED = new ConcurrentHashMap<>();

  private static final int MAX_REMEMBERED = 512;

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException when the text is not a duration of the API
   */
  public static Duration parse(String text) {
    Duration known = text == null ? null : PARSED.get(text);
    if (known != null) {
      return known;
    }
    Duration parsed = parseText(text);
    if (PARSED.size() < MAX_REMEMBERED) {
      PARSED.put(text, parsed);
    }
    return parsed;
  }

  /**
   * Parses the duration of a field, or returns the fallback when the field is absent.
   *
   * @throws IllegalArgumentException naming the field when the text is not a duration
   */
  public static Duration parseOrDefault(String field, String text, Duration fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  private static Duration parseText(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration (use " + EXAMPLES + ")");
    }
    if (!WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'"
              + abbreviated(text)
              + "' is not a duration: write up to four number-unit parts with the units ms, s, m"
              + " or h, at most six digits before a decimal point, no sign or spaces ("
              + EXAMPLES
              + ")");
    }
    long nanos = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long unit =
          switch (part.group(3)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      // At most 999999 units plus a fraction, four times: far below Long.MAX_VALUE nanoseconds.
      nanos += Long.parseLong(part.group(1)) * unit + fractionOf(part.group(2), unit);
    }
    return Duration.ofNanos(nanos);
  }

  /** {@code digits} read as a decimal fraction of {@code unit} nanoseconds, truncated. */
  private static long fractionOf(String digits, long unit) {
    if (digits == null) {
      return 0;
    }
    long numerator = Long.parseLong(digits);
    long denominator = 1;
    for (int i = 0; i < digits.length(); i++) {
      denominator *= 10;
    }
    // Every unit but ms is a multiple of 10^9, so dividing first is exact. A fraction of ms with
    // more than six digits multiplies first: numerator < 10^9 times 10^6 stays far below 2^63.
    return unit % denominator == 0
        ? numerator * (unit / denominator)
        : numerator * unit / denominator;
  }

  /** Long inputs are cut in messages, so a message stays readable whatever was written. */
  private static String abbreviated(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }
}
