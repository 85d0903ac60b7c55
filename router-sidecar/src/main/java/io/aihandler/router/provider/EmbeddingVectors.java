package io.aihandler.router.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.aihandler.router.runtime.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

/**
 * Vectors on the wire: a JSON array of numbers, or OpenAI's base64 of little-endian float32s. Read
 * token by token from the parser, so a vector costs its four bytes a value and never a tree of
 * number nodes (about eight times as much).
 */
public final class EmbeddingVectors {

  /** A parser factory for upstream answers; their size is bounded before they are read. */
  public static final JsonFactory JSON = Json.factory();

  private EmbeddingVectors() {}

  /**
   * Reads the value at the parser's current token: an array of numbers or a base64 string.
   *
   * @throws IllegalArgumentException when it is neither
   */
  public static float[] read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return fromBase64(p.getText());
    }
    if (t != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("a vector is an array of numbers or a base64 string");
    }
    float[] v = new float[256];
    int n = 0;
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e != JsonToken.VALUE_NUMBER_FLOAT && e != JsonToken.VALUE_NUMBER_INT) {
        throw new IllegalArgumentException("a vector holds numbers only");
      }
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = p.getFloatValue();
    }
    return n == v.length ? v : Arrays.copyOf(v, n);
  }

  /** OpenAI's base64 encoding of a vector: its float32 values, little-endian. */
  public static float[] fromBase64(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a vector's base64 does not decode");
    }
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("a base64 vector is not a whole number of float32s");
    }
    float[] v = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /** The base64 of a vector as OpenAI sends it for {@code encoding_format: base64}. */
  public static String toBase64(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** Skips the value at the parser's current token, whatever it is. */
  public static void skip(JsonParser p) throws IOException {
    p.skipChildren();
  }
}
