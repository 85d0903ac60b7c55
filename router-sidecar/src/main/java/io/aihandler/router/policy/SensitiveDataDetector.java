package io.aihandler.router.policy;

import io.aihandler.router.config.Detector;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds one kind of sensitive data in text. Checksums (Luhn, IBAN mod 97) cut false alarms. */
public final class SensitiveDataDetector {

  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
  // International or North-American style numbers with at least 10 digits.
  private static final Pattern PHONE =
      Pattern.compile("(?<![\\w+])(?:\\+\\d{1,3}[\\s.-]?)?(?:\\(\\d{2,4}\\)[\\s.-]?)?\\d{2,4}(?:[\\s.-]?\\d{2,4}){2,4}(?!\\w)");
  private static final Pattern CARD = Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)");
  private static final Pattern IBAN =
      Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?:[ ]?[A-Z0-9]){11,30}(?![A-Za-z0-9])");
  private static final Pattern US_SSN =
      Pattern.compile("(?<!\\d)(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?!\\d)");

  private final Detector detector;
  private final Pattern pattern;

  /** Compiles a detector of the config. */
  public SensitiveDataDetector(Detector detector) {
    this.detector = detector;
    this.pattern =
        switch (detector.type()) {
          case EMAIL -> EMAIL;
          case PHONE -> PHONE;
          case CREDIT_CARD -> CARD;
          case IBAN -> IBAN;
          case US_SSN -> US_SSN;
          case REGEX -> Pattern.compile(detector.pattern());
        };
  }

  /** The detector's name for logs and errors: its type, never the matched text. */
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

  /** Whether the text holds what this detector looks for. */
  public boolean matches(CharSequence text) {
    return matches(text, TextSignals.of(text));
  }

  /**
   * Whether the text holds what this detector looks for, with the signals of one pass over it: a
   * built-in detector whose candidates the text cannot hold does not run its pattern at all, and
   * one that does starts where its first candidate can begin.
   */
  boolean matches(CharSequence text, TextSignals signals) {
    int from =
        switch (detector.type()) {
          case EMAIL -> signals.firstAt() < 0 ? -1 : localPartStart(text, signals.firstAt());
          case PHONE -> signals.longestDigitGroup() >= 10 ? 0 : -1;
          case CREDIT_CARD -> signals.longestDigitGroup() >= 13 ? 0 : -1;
          case US_SSN -> signals.longestDigitGroup() >= 9 ? 0 : -1;
          case IBAN -> signals.firstIbanStart();
          case REGEX -> 0;
        };
    if (from < 0) {
      return false;
    }
    Matcher m = pattern.matcher(text);
    if (from > 0) {
      m.region(from, text.length());
      // Look-behinds still see the text before the region.
      m.useTransparentBounds(true);
      m.useAnchoringBounds(false);
    }
    while (m.find()) {
      boolean real =
          switch (detector.type()) {
            case CREDIT_CARD -> luhn(m.group());
            case IBAN -> ibanChecksum(m.group());
            case PHONE -> {
              int digits = digits(m.group());
              yield digits >= 10 && digits <= 15;
            }
            default -> true;
          };
      if (real) {
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
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  private static int digits(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (Character.isDigit(s.charAt(i))) {
        n++;
      }
    }
    return n;
  }

  static boolean luhn(String text) {
    int sum = 0;
    int count = 0;
    boolean doubleIt = false;
    for (int i = text.length() - 1; i >= 0; i--) {
      char c = text.charAt(i);
      if (!Character.isDigit(c)) {
        continue;
      }
      int d = c - '0';
      if (doubleIt) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      count++;
      doubleIt = !doubleIt;
    }
    return count >= 13 && count <= 19 && sum % 10 == 0;
  }

  static boolean ibanChecksum(String text) {
    String iban = text.replace(" ", "");
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    String rearranged = iban.substring(4) + iban.substring(0, 4);
    int mod = 0;
    for (int i = 0; i < rearranged.length(); i++) {
      char c = rearranged.charAt(i);
      int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      mod = v > 9 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
    }
    return mod == 1;
  }
}
