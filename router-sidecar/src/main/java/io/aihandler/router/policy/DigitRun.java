package io.aihandler.router.policy;

import java.util.Arrays;

/**
 * Digits as people write numbers in normalised text: groups of ASCII digits joined by single
 * everyday separators ({@code ' ' . - /}), e.g. {@code 4111 1111 1111 1111} or {@code 078-05-1120}.
 * Card numbers and US SSNs are looked for in runs, group by group.
 */
final class DigitRun {

  private int[] starts = new int[8];
  private int[] ends = new int[8];
  private int count;

  private DigitRun() {}

  /** The first run that starts at or after {@code from}, or null. */
  static DigitRun next(CharSequence text, int from) {
    int n = text.length();
    int i = from;
    while (i < n && !isDigit(text.charAt(i))) {
      i++;
    }
    if (i >= n) {
      return null;
    }
    DigitRun run = new DigitRun();
    while (true) {
      int start = i;
      while (i < n && isDigit(text.charAt(i))) {
        i++;
      }
      run.add(start, i);
      if (i + 1 < n && isSeparator(text.charAt(i)) && isDigit(text.charAt(i + 1))) {
        i++;
      } else {
        return run;
      }
    }
  }

  private void add(int start, int end) {
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
      ends = Arrays.copyOf(ends, count * 2);
    }
    starts[count] = start;
    ends[count++] = end;
  }

  /** How many groups the run has. */
  int groups() {
    return count;
  }

  /** Index after the run's last digit: where the next run can start. */
  int end() {
    return ends[count - 1];
  }

  int start(int group) {
    return starts[group];
  }

  int end(int group) {
    return ends[group];
  }

  int digits(int group) {
    return ends[group] - starts[group];
  }

  /** The separator after a group that is not the last. */
  char separatorAfter(CharSequence text, int group) {
    return text.charAt(ends[group]);
  }

  static boolean isSeparator(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '/';
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
