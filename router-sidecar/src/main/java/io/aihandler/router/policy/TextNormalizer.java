package io.aihandler.router.policy;

import java.text.Normalizer;

/**
 * Rewrites one value of a request into the form the detectors read, so that how a number or an
 * address is typed does not hide it: compatibility forms fold to their plain letters and digits
 * (NFKC: full-width {@code ４} and {@code ＠}, ligatures), invisible format characters are dropped
 * (zero-width space, joiners, word joiner, byte-order mark, soft hyphen, bidi marks), every decimal
 * digit becomes its ASCII digit (Arabic-Indic, Devanagari, ...), every dash becomes {@code -}, and
 * any run of white space (tabs, no-break spaces, line breaks) becomes one space.
 *
 * <p>Line breaks become spaces because the caller ends each value with {@code '\n'}: detectors then
 * never join the end of one value to the start of the next.
 */
final class TextNormalizer {

  private TextNormalizer() {}

  /** The normalised form of one value. */
  static String normalize(CharSequence value) {
    StringBuilder out = new StringBuilder(value.length());
    append(value, out);
    return out.toString();
  }

  /** Appends the normalised form of one value. */
  static void append(CharSequence value, StringBuilder out) {
    Shape shape = shape(value);
    if (shape == Shape.CLEAN && followsSpace(value, out)) {
      shape = Shape.ASCII;
    }
    switch (shape) {
      case CLEAN -> out.append(value);
      case ASCII -> appendAscii(value, out);
      case UNICODE -> appendUnicode(nfkc(value), out);
    }
  }

  private enum Shape {
    /** Printable ASCII without double spaces: already normalised, appended as it is. */
    CLEAN,
    /** ASCII with control characters or runs of spaces to fold. */
    ASCII,
    /** Anything else. */
    UNICODE
  }

  // Most values are plain ASCII: they skip NFKC and the per-character table look-ups.
  private static Shape shape(CharSequence value) {
    Shape shape = Shape.CLEAN;
    char previous = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x7f) {
        return Shape.UNICODE;
      }
      if (c < ' ' || (c == ' ' && previous == ' ')) {
        shape = Shape.ASCII;
      }
      previous = c;
    }
    return shape;
  }

  // Most text with accents is already NFKC; the quick check is cheaper than normalising it.
  private static CharSequence nfkc(CharSequence value) {
    return Normalizer.isNormalized(value, Normalizer.Form.NFKC)
        ? value
        : Normalizer.normalize(value, Normalizer.Form.NFKC);
  }

  private static boolean followsSpace(CharSequence value, StringBuilder out) {
    return !value.isEmpty()
        && value.charAt(0) == ' '
        && !out.isEmpty()
        && out.charAt(out.length() - 1) == ' ';
  }

  private static void appendAscii(CharSequence value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' && Character.isWhitespace(c)) {
        appendSpace(out);
      } else {
        out.append(c);
      }
    }
  }

  private static void appendUnicode(CharSequence folded, StringBuilder out) {
    for (int i = 0; i < folded.length(); ) {
      char c = folded.charAt(i);
      if (c < 0x7f) {
        if (c <= ' ' && Character.isWhitespace(c)) {
          appendSpace(out);
        } else {
          out.append(c);
        }
        i++;
        continue;
      }
      int cp = Character.codePointAt(folded, i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.FORMAT) {
        continue;
      }
      if (type == Character.DECIMAL_DIGIT_NUMBER) {
        out.append((char) ('0' + Character.digit(cp, 10)));
      } else if (type == Character.DASH_PUNCTUATION || cp == '\u2212') {
        out.append('-');
      } else if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        appendSpace(out);
      } else {
        out.appendCodePoint(cp);
      }
    }
  }

  private static void appendSpace(StringBuilder out) {
    if (out.isEmpty() || out.charAt(out.length() - 1) != ' ') {
      out.append(' ');
    }
  }
}
