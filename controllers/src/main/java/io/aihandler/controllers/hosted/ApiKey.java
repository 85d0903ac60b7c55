package io.aihandler.controllers.hosted;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An API key read from a Secret. Its text form is redacted, so it cannot reach a log line, an
 * exception or a condition by accident; code that needs the value asks for it by name.
 */
public final class ApiKey {

  /**
   * Fingerprints are keyed with a random value chosen per process, so a fingerprint cannot be used
   * to confirm a guessed key even if it were seen outside this process.
   */
  private static final byte[] FINGERPRINT_KEY = new SecureRandom().generateSeed(32);

  private final byte[] value;

  private ApiKey(byte[] value) {
    this.value = value.clone();
  }

  /** The key as stored in a Secret's {@code data} (already base64-decoded). */
  public static ApiKey of(byte[] value) {
    return new ApiKey(value);
  }

  /** The key from text. */
  public static ApiKey of(String value) {
    return new ApiKey(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The raw bytes, for writing into a Secret. */
  public byte[] bytes() {
    return value.clone();
  }

  /**
   * The key as a header value, without the line breaks a Secret written by {@code echo} or an
   * editor often ends with.
   */
  public String headerValue() {
    return new String(value, StandardCharsets.UTF_8).strip();
  }

  /** True when the key is empty or only whitespace. */
  public boolean isBlank() {
    return headerValue().isEmpty();
  }

  /**
   * A keyed hash of the key, stable within this process: it tells whether the key changed without
   * keeping or revealing the key.
   */
  public String fingerprint() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(FINGERPRINT_KEY, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(value));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ApiKey key && MessageDigest.isEqual(value, key.value);
  }

  @Override
  public int hashCode() {
    return fingerprint().hashCode();
  }

  @Override
  public String toString() {
    return "ApiKey[redacted]";
  }
}
