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
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      String found = m.group();
      boolean real =
          switch (detector.type()) {
            case CREDIT_CARD -> luhn(found);
            case IBAN -> ibanChecksum(found);
            case PHONE -> digits(found) >= 10 && digits(found) <= 15;
            default -> true;
          };
      if (real) {
        return true;
      }
    }
    return false;
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
