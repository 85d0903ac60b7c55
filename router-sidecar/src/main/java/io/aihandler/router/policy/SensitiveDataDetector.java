package io.aihandler.router.policy;

import io.aihandler.router.config.Detector;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds one kind of sensitive data in a request's normalised text ({@link TextNormalizer}).
 * Checksums (Luhn for cards, mod 97 for IBANs) and the SSN validity rules cut false alarms.
 */
public final class SensitiveDataDetector {

  // The local part's look-behind and possessive quantifier make each address start at the first
  // character a local part can have: text full of letters and one '@' stays linear.
  private static final Pattern EMAIL =
      Pattern.compile(
          "(?<![\\p{L}\\p{N}._%+-])[\\p{L}\\p{N}._%+-]++@[\\p{L}\\p{N}.-]+\\.\\p{L}{2,}");
  // International or North-American style numbers with 10 to 15 digits.
  private static final Pattern PHONE =
      Pattern.compile(
          "(?<![\\w+])(?:\\+\\d{1,3}[ ./-]?)?(?:\\(\\d{2,4}\\)[ ./-]?)?\\d{2,4}(?:[ ./-]?\\d{2,4}){2,4}(?!\\w)");

  private final Detector detector;
  private final Pattern custom;

  /** Compiles a detector of the config. */
  public SensitiveDataDetector(Detector detector) {
    this.detector = detector;
    this.custom =
        switch (detector.type()) {
          case REGEX -> Pattern.compile(detector.pattern());
          default -> null;
        };
  }

  /** The detector's name for logs, errors and metrics: its type, never the matched text. */
  public String name() {
    return switch (detector.type()) {
      case EMAIL -> "email";
      case PHONE -> "phone";
      case CREDIT_CARD -> "creditCard";
      case IBAN -> "iban";
      case US_SSN -> "usSsn";
      case REGEX -> "regex";
    };
  }

  /** Whether the text, once normalised, holds what this detector looks for. */
  public boolean matches(CharSequence text) {
    String normalised = TextNormalizer.normalize(text);
    return matches(normalised, TextSignals.of(normalised));
  }

  /**
   * Whether normalised text holds what this detector looks for, with the signals of one pass over
   * it: a built-in detector whose candidates the text cannot hold does no more work, and one that
   * does starts where its first candidate can begin.
   */
  boolean matches(CharSequence text, TextSignals signals) {
    return switch (detector.type()) {
      case EMAIL -> signals.firstAt() >= 0 && email(text, signals.firstAt());
      case PHONE -> signals.longestDigitGroup() >= 10 && phone(text);
      case CREDIT_CARD -> signals.longestDigitGroup() >= 13 && CardNumberFinder.find(text);
      case US_SSN -> signals.longestDigitGroup() >= 9 && UsSsnFinder.find(text);
      case IBAN -> signals.firstIbanStart() >= 0 && IbanFinder.find(text, signals.firstIbanStart());
      case REGEX -> custom.matcher(text).find();
    };
  }

  private static boolean email(CharSequence text, int firstAt) {
    Matcher m = EMAIL.matcher(text);
    m.region(localPartStart(text, firstAt), text.length());
    // Look-behinds still see the text before the region.
    m.useTransparentBounds(true);
    m.useAnchoringBounds(false);
    return m.find();
  }

  private static boolean phone(CharSequence text) {
    Matcher m = PHONE.matcher(text);
    while (m.find()) {
      int digits = 0;
      for (int i = m.start(); i < m.end(); i++) {
        if (DigitRun.isDigit(text.charAt(i))) {
          digits++;
        }
      }
      if (digits >= 10 && digits <= 15) {
        return true;
      }
    }
    return false;
  }

  /** Where the address around an {@code @} can start: back over the characters a local part has. */
  private static int localPartStart(CharSequence text, int at) {
    int i = at;
    while (i > 0 && isLocalPartChar(text.charAt(i - 1))) {
      i--;
    }
    return i;
  }

  private static boolean isLocalPartChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }
}
