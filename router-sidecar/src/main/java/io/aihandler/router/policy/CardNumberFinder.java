package io.aihandler.router.policy;

/**
 * Finds a payment card number: 13 to 19 digits passing the Luhn check, written unbroken or in
 * groups of at least four digits (the last group may be shorter: {@code 4111 1111 1111 1111}, Amex
 * {@code 3782 822463 10005}, 19 digits as {@code 4-4-4-4-3}). Short groups end a candidate, so a
 * table of small numbers is not read as one long number.
 */
final class CardNumberFinder {

  private static final int MIN_DIGITS = 13;
  private static final int MAX_DIGITS = 19;
  private static final int MIN_GROUP = 4;

  private CardNumberFinder() {}

  /** Whether the normalised text holds a card number. */
  static boolean find(CharSequence text) {
    for (DigitRun run = DigitRun.next(text, 0); run != null; run = DigitRun.next(text, run.end())) {
      for (int first = 0; first < run.groups(); first++) {
        int digits = 0;
        for (int last = first; last < run.groups(); last++) {
          digits += run.digits(last);
          if (digits > MAX_DIGITS) {
            break;
          }
          if (digits >= MIN_DIGITS && luhn(text, run.start(first), run.end(last))) {
            return true;
          }
          if (run.digits(last) < MIN_GROUP) {
            break;
          }
        }
      }
    }
    return false;
  }

  /** The Luhn check over the digits between two indexes, skipping separators. */
  static boolean luhn(CharSequence text, int from, int to) {
    int sum = 0;
    boolean doubleIt = false;
    for (int i = to - 1; i >= from; i--) {
      char c = text.charAt(i);
      if (!DigitRun.isDigit(c)) {
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
      doubleIt = !doubleIt;
    }
    return sum % 10 == 0;
  }
}
