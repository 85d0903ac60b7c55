package io.aihandler.router.abuse;

/** Shortens what a failure message quotes. */
final class Text {

  private Text() {}

  static String clip(String s, int max) {
    if (s == null) {
      return "null";
    }
    String one = s.replace("\r", "\\r").replace("\n", "\\n");
    return one.length() <= max ? one : one.substring(0, max) + "... (" + s.length() + " chars)";
  }
}
