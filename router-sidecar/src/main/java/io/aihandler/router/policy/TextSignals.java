package io.aihandler.router.policy;

/**
 * What one pass over a request's normalised text finds out for the built-in detectors, so that each
 * does its work only where it could match: most requests hold no {@code @}, no long run of digits
 * and nothing shaped like an IBAN, and then those detectors cost nothing more.
 *
 * @param firstAt index of the first {@code @}, or -1: an e-mail address needs one
 * @param firstIbanStart index of the first two letters followed by two digits that are not glued to
 *     a word before them, or -1
 * @param longestDigitGroup most digits in one group, where a group's digits are at most two
 *     separator characters ({@code ' ' . - / ( ) +}) apart: a phone number (10 digits or more), a
 *     card number (13 or more) and a US SSN (9) each lie within one group
 */
record TextSignals(int firstAt, int firstIbanStart, int longestDigitGroup) {

  /** Reads normalised text once. */
  static TextSignals of(CharSequence text) {
    int firstAt = -1;
    int firstIban = -1;
    int longest = 0;
    int group = 0;
    int gap = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        group++;
        gap = 0;
        if (group > longest) {
          longest = group;
        }
      } else if (group > 0 && isSeparator(c) && gap < 2) {
        gap++;
      } else {
        group = 0;
        gap = 0;
        if (c == '@') {
          if (firstAt < 0) {
            firstAt = i;
          }
        } else if (firstIban < 0 && i + 3 < n && IbanFinder.isStart(text, i)) {
          firstIban = i;
        }
      }
    }
    return new TextSignals(firstAt, firstIban, longest);
  }

  private static boolean isSeparator(char c) {
    return switch (c) {
      case ' ', '.', '-', '/', '(', ')', '+' -> true;
      default -> false;
    };
  }
}
