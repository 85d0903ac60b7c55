package io.aihandler.controllers.vllm;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration strings of the API ({@code 30s}, {@code 5m}, {@code 1h30m}, {@code 1.5h},
 * {@code 500ms}), the Go-style subset the CRD's pattern admits.
 */
public final class GoDuration {

  private static final Pattern WHOLE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private GoDuration() {}

  /**
   * The duration a string names.
   *
   * @throws IllegalArgumentException naming the field when the text is not a duration
   */
  public static Duration parse(String field, String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          field + " must be a duration such as 30s, 5m or 1h30m, not '" + text + "'");
    }
    double millis = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      double amount = Double.parseDouble(part.group(1));
      millis +=
          switch (part.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
          };
    }
    return Duration.ofMillis(Math.round(millis));
  }

  /** The duration a string names, or the fallback when the string is absent. */
  public static Duration parseOrDefault(String field, String text, Duration fallback) {
    return text == null ? fallback : parse(field, text);
  }
}
