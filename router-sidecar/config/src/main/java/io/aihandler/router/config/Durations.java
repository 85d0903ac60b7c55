package io.aihandler.router.config;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as in Kubernetes and Go: {@code 250ms}, {@code 30s}, {@code 1m30s}. */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

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
   * @throws IllegalArgumentException when the text is not a sequence of number-unit pairs
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

  private static Duration parseText(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration (use e.g. 250ms, 30s, 2m, 1h30m)");
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
      at = m.end();
    }
    return total;
  }
}
