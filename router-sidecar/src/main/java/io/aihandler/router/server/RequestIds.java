package io.aihandler.router.server;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A request's {@code x-request-id}: the caller's when it is sane (1 to {@link #MAX_LENGTH} of
 * {@code A-Z a-z 0-9 - _ . : + / = @}, so it can go into headers, logs and spans as it is),
 * otherwise a new one of 32 hex digits.
 */
final class RequestIds {

  /** The header carrying it, both ways and upstream. */
  static final String HEADER = "x-request-id";

  /** Longer than a UUID or a W3C trace id with a prefix; short enough for every log line. */
  static final int MAX_LENGTH = 128;

  private RequestIds() {}

  /** The caller's id when sane, else a new one. */
  static String of(String callers) {
    return callers != null && sane(callers) ? callers : fresh();
  }

  static boolean sane(String id) {
    if (id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == ':'
              || c == '+'
              || c == '/'
              || c == '='
              || c == '@';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** 32 hex digits. It names a request and guards nothing: no secure random needed. */
  static String fresh() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }
}
