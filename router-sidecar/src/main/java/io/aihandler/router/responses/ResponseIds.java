package io.aihandler.router.responses;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Ids in OpenAI's shapes: {@code resp_}, {@code msg_} or {@code fc_} and 48 hex digits. A response
 * id is the key to its stored conversation, so it comes from a secure random source: one caller on
 * the pod must not be able to guess another's id and continue its conversation.
 */
final class ResponseIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private ResponseIds() {}

  static String response() {
    return next("resp_");
  }

  static String message() {
    return next("msg_");
  }

  static String functionCall() {
    return next("fc_");
  }

  private static String next(String prefix) {
    byte[] bits = new byte[24];
    RANDOM.nextBytes(bits);
    return prefix + HEX.formatHex(bits);
  }
}
