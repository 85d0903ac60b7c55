package io.aihandler.router.server;

/**
 * A value from a request as the access log writes it: as it is when it holds only characters that
 * cannot end a field or a line, otherwise as a quoted, escaped JSON string. A {@code model} with
 * CR/LF or spaces in it cannot forge a line or a field.
 */
final class AccessLogValue {

  private static final int MAX = 200;

  private AccessLogValue() {}

  static String of(String value) {
    if (value == null) {
      return "-";
    }
    if (value.length() <= MAX && isPlain(value)) {
      return value.isEmpty() ? "\"\"" : value;
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      if (i == MAX) {
        out.append("...");
        break;
      }
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20
              || c == 0x7f
              || Character.getType(c) == Character.LINE_SEPARATOR
              || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
              || c == '\u0085') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static boolean isPlain(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '/'
              || c == ':'
              || c == '+'
              || c == '@';
      if (!plain) {
        return false;
      }
    }
    return true;
  }
}
