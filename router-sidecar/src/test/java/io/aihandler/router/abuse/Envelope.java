package io.aihandler.router.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The OpenAI error envelope, {@code {"error":{"message","type","param","code"}}}, read from a
 * response body; {@link #problem} says what is wrong with it, for a failure message.
 */
public record Envelope(String message, String type, String code, boolean wellFormed) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static Envelope parse(String body) {
    try {
      JsonNode error = MAPPER.readTree(body).path("error");
      boolean ok =
          error.isObject()
              && error.path("message").isTextual()
              && error.path("type").isTextual()
              && error.has("param")
              && error.has("code");
      return new Envelope(
          error.path("message").asText(null),
          error.path("type").asText(null),
          error.path("code").isNull() ? null : error.path("code").asText(null),
          ok);
    } catch (Exception e) {
      return new Envelope(null, null, null, false);
    }
  }

  /**
   * Null when the response is this status with a well-formed envelope whose code contains {@code
   * code} (any code when null); otherwise a description of what was seen instead.
   */
  public static String problem(int status, String body, int wantStatus, String code) {
    Envelope e = parse(body);
    if (status != wantStatus
        || !e.wellFormed()
        || (code != null && (e.code() == null || !e.code().contains(code)))) {
      return "expected "
          + wantStatus
          + (code == null ? "" : " code " + code)
          + " in an OpenAI error envelope, saw "
          + status
          + " "
          + Text.clip(body, 400);
    }
    return null;
  }
}
