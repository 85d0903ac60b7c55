package io.aihandler.router.policy;

/**
 * Finds an IBAN: two letters (the country), two check digits, then 11 to 30 letters or digits,
 * passing the ISO 13616 mod-97 check. Letters may be lower case (the check runs on the upper-case
 * form), and the characters may be grouped by single everyday separators ({@code DE89 3704 0044
 * 0532 0130 00}, {@code de89-3704-...}). A candidate ends where a group ends, so the words after an
 * IBAN do not spoil its check.
 */
final class IbanFinder {

  private static final int MIN_BBAN = 11;
  private static final int MAX_BBAN = 30;

  private IbanFinder() {}

  /** Whether the normalised text holds an IBAN, looking from {@code from} on. */
  static boolean find(CharSequence text, int from) {
    int n = text.length();
    for (int i = Math.max(from, 0); i + 3 < n; i++) {
      if (isStart(text, i) && checks(text, i)) {
        return true;
      }
    }
    return false;
  }

  /** Two letters and two digits, not glued to a word before them. */
  static boolean isStart(CharSequence text, int i) {
    return (i == 0 || !isAlphanumeric(text.charAt(i - 1)))
        && isLetter(text.charAt(i))
        && isLetter(text.charAt(i + 1))
        && DigitRun.isDigit(text.charAt(i + 2))
        && DigitRun.isDigit(text.charAt(i + 3));
  }

  /**
   * Whether some candidate starting at {@code start} passes mod 97. The check number is the BBAN,
   * then the country and check digits, letters as 10-35; its remainder is kept as the BBAN is read,
   * so every end is checked in constant time.
   */
  private static boolean checks(CharSequence text, int start) {
    int n = text.length();
    int i = start + 4;
    if (i + 1 < n && DigitRun.isSeparator(text.charAt(i)) && isAlphanumeric(text.charAt(i + 1))) {
      i++;
    }
    int mod = 0;
    int bban = 0;
    while (i < n && isAlphanumeric(text.charAt(i)) && bban < MAX_BBAN) {
      mod = fold(mod, text.charAt(i));
      bban++;
      i++;
      boolean groupEnds = i >= n || !isAlphanumeric(text.charAt(i));
      if (groupEnds && bban >= MIN_BBAN && withTail(mod, text, start) == 1) {
        return true;
      }
      if (groupEnds
          && i + 1 < n
          && DigitRun.isSeparator(text.charAt(i))
          && isAlphanumeric(text.charAt(i + 1))) {
        i++;
      }
    }
    return false;
  }

  private static int withTail(int mod, CharSequence text, int start) {
    for (int k = start; k < start + 4; k++) {
      mod = fold(mod, text.charAt(k));
    }
    return mod;
  }

  private static int fold(int mod, char c) {
    int v = DigitRun.isDigit(c) ? c - '0' : Character.toUpperCase(c) - 'A' + 10;
    return v > 9 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
  }

  private static boolean isLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  private static boolean isAlphanumeric(char c) {
    return isLetter(c) || DigitRun.isDigit(c);
  }
}
