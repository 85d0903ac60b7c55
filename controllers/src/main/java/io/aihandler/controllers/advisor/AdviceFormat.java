package io.aihandler.controllers.advisor;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** How figures read in the advice's evidence: US dollars, percentages, tokens and durations. */
final class AdviceFormat {

  private AdviceFormat() {}

  /**
   * {@code $1,234.56}; amounts under a dollar keep up to four significant digits: {@code $0.00165}.
   */
  static String usd(double amount) {
    if (Double.isNaN(amount)) {
      return "unknown";
    }
    if (Math.abs(amount) < 1 && amount != 0) {
      BigDecimal small = new BigDecimal(amount).round(new MathContext(4)).stripTrailingZeros();
      return "$" + (small.scale() < 2 ? small.setScale(2) : small).toPlainString();
    }
    return String.format(Locale.ROOT, "$%,.2f", amount);
  }

  /** A share from 0 to 1 as a percentage with one decimal: {@code 96.1%}. */
  static String percent(double share) {
    return Double.isNaN(share) ? "unknown" : String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  /** A signed change in percent, rounded: {@code -87%}, {@code +12%}. */
  static String change(double percent) {
    return Double.isNaN(percent)
        ? "unknown"
        : String.format(Locale.ROOT, "%+d%%", Math.round(percent));
  }

  /** A token count: {@code 20.6M}, {@code 812k}, {@code 950}. */
  static String tokens(double tokens) {
    if (Double.isNaN(tokens)) {
      return "unknown";
    }
    if (tokens >= 1e9) {
      return String.format(Locale.ROOT, "%.2fB", tokens / 1e9);
    }
    if (tokens >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", tokens / 1e6);
    }
    if (tokens >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", tokens / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", tokens);
  }

  /** A plain number with at most three decimals. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "unknown";
    }
    return new BigDecimal(value)
        .setScale(3, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /** Seconds of latency: {@code 0.42s}. */
  static String seconds(double seconds) {
    return Double.isNaN(seconds) ? "unknown" : String.format(Locale.ROOT, "%.2fs", seconds);
  }

  /** A signed latency difference: {@code +0.4s}. */
  static String secondsDelta(double seconds) {
    return Double.isNaN(seconds) ? "unknown" : String.format(Locale.ROOT, "%+.1fs", seconds);
  }

  /** A span of time: {@code 6d4h}, {@code 2h10m}, {@code 45s}. */
  static String duration(double seconds) {
    if (Double.isNaN(seconds)) {
      return "unknown";
    }
    long s = Math.round(seconds);
    long days = s / 86_400;
    long hours = s % 86_400 / 3_600;
    long minutes = s % 3_600 / 60;
    if (days > 0) {
      return days + "d" + (hours > 0 ? hours + "h" : "");
    }
    if (hours > 0) {
      return hours + "h" + (minutes > 0 ? minutes + "m" : "");
    }
    if (minutes > 0) {
      return minutes + "m" + (s % 60 > 0 ? s % 60 + "s" : "");
    }
    return s + "s";
  }
}
