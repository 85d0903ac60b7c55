package io.aihandler.logging;

import java.util.Locale;

/** How a process writes its log: plain text for people (the default) or JSON lines for machines. */
public enum LogFormat {
  TEXT,
  JSON;

  /**
   * The format named {@code text} or {@code json} (any case); null or blank is {@link #TEXT}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static LogFormat parse(String name) {
    if (name == null || name.isBlank()) {
      return TEXT;
    }
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("must be text or json, not " + name);
    };
  }
}
