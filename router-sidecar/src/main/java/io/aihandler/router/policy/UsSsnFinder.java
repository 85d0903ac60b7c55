package io.aihandler.router.policy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a US Social Security number that could have been issued: area not 000, 666 or 900-999,
 * group not 00, serial not 0000. Written in three groups ({@code 078-05-1120}, also with spaces,
 * dots or slashes, the same separator twice, and not continued by that separator: the end of {@code
 * 415 078 05 1120} is not one) it counts on its own. Nine bare digits count only near a word that
 * says SSN ({@code SSN}, {@code customerSsn}, {@code social security}): the validity rules pass
 * nine in ten random nine-digit numbers, and order numbers, tracking numbers and bank routing
 * numbers are nine digits too.
 */
final class UsSsnFinder {

  // How far before and after bare digits a context word may stand: a JSON key and its value, or
  // "SSN: " in a sentence, are well within it.
  private static final int CONTEXT_BEFORE = 40;
  private static final int CONTEXT_AFTER = 24;

  private static final Pattern CONTEXT =
      Pattern.compile(
          "(?<![A-Za-z])(?:ssn|SSN|Ssn)s?(?![a-z])"
              + "|(?<=[a-z])(?:Ssn|SSN)(?![a-z])"
              + "|(?i:social[ _.-]?security|soc\\.? ?sec(?![a-z]))");

  private UsSsnFinder() {}

  /** Whether the normalised text holds a US SSN. */
  static boolean find(CharSequence text) {
    for (DigitRun run = DigitRun.next(text, 0); run != null; run = DigitRun.next(text, run.end())) {
      for (int first = 0; first + 2 < run.groups(); first++) {
        if (isGrouped(text, run, first)) {
          return true;
        }
      }
      if (run.groups() == 1
          && run.digits(0) == 9
          && isValid(text, run.start(0), run.start(0) + 3, run.start(0) + 5)
          && hasContext(text, run.start(0), run.end())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isGrouped(CharSequence text, DigitRun run, int first) {
    if (run.digits(first) != 3 || run.digits(first + 1) != 2 || run.digits(first + 2) != 4) {
      return false;
    }
    char separator = run.separatorAfter(text, first);
    return run.separatorAfter(text, first + 1) == separator
        && (first == 0 || run.separatorAfter(text, first - 1) != separator)
        && (first + 3 == run.groups() || run.separatorAfter(text, first + 2) != separator)
        && isValid(text, run.start(first), run.start(first + 1), run.start(first + 2));
  }

  private static boolean isValid(CharSequence text, int area, int group, int serial) {
    int a = number(text, area, 3);
    return a != 0
        && a != 666
        && a < 900
        && number(text, group, 2) != 0
        && number(text, serial, 4) != 0;
  }

  private static int number(CharSequence text, int from, int digits) {
    int v = 0;
    for (int i = from; i < from + digits; i++) {
      v = v * 10 + (text.charAt(i) - '0');
    }
    return v;
  }

  private static boolean hasContext(CharSequence text, int start, int end) {
    Matcher m = CONTEXT.matcher(text);
    m.region(Math.max(0, start - CONTEXT_BEFORE), Math.min(text.length(), end + CONTEXT_AFTER));
    m.useTransparentBounds(true);
    return m.find();
  }
}
