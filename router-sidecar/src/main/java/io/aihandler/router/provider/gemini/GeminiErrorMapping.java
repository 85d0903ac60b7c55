package io.aihandler.router.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.provider.RetryAfter;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamError.Kind;
import io.aihandler.router.runtime.Json;
import java.time.Duration;
import java.util.Map;

/**
 * Google's errors ({@code {"error":{"code","message","status","details"}}}, as an HTTP error body,
 * wrapped in an array by the JSON-array stream, or as an SSE data line mid-stream) in terms the
 * router acts on.
 */
final class GeminiErrorMapping {

  private static final ObjectMapper MAPPER = Json.mapper();

  private GeminiErrorMapping() {}

  static UpstreamError fromResponse(int status, String body, Map<String, String> headers) {
    JsonNode error = parse(body).path("error");
    Duration retryAfter = RetryAfter.SYSTEM.of(headers);
    return map(status, error, retryAfter != null ? retryAfter : retryDelay(error));
  }

  /** An error object that arrived as stream data after HTTP 200. */
  static UpstreamError fromStreamData(JsonNode data) {
    JsonNode error = data.path("error");
    int status = error.path("code").asInt(500);
    return map(status, error, retryDelay(error));
  }

  private static UpstreamError map(int status, JsonNode error, Duration retryAfter) {
    String googleStatus = error.path("status").asText(null);
    String message = error.path("message").asText("");
    if (message.isBlank()) {
      message = "Gemini answered HTTP " + status;
    }
    // Google reports a bad key as 400 INVALID_ARGUMENT; it is an authentication failure.
    if (hasReason(error, "API_KEY_INVALID")) {
      return new UpstreamError(
          401, Kind.AUTHENTICATION, "authentication_error", googleStatus, message, null);
    }
    return UpstreamError.ofStatus(status, googleStatus, message, retryAfter);
  }

  private static boolean hasReason(JsonNode error, String reason) {
    for (JsonNode detail : error.path("details")) {
      if (reason.equals(detail.path("reason").asText())) {
        return true;
      }
    }
    return false;
  }

  /** {@code google.rpc.RetryInfo.retryDelay}, a protobuf Duration such as {@code "37s"}. */
  private static Duration retryDelay(JsonNode error) {
    for (JsonNode detail : error.path("details")) {
      if (detail.path("@type").asText().endsWith("google.rpc.RetryInfo")) {
        String delay = detail.path("retryDelay").asText("");
        if (delay.endsWith("s")) {
          try {
            double seconds = Double.parseDouble(delay.substring(0, delay.length() - 1));
            return seconds < 0 ? null : Duration.ofMillis((long) (seconds * 1000));
          } catch (NumberFormatException e) {
            return null;
          }
        }
      }
    }
    return null;
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node != null && node.isArray() && !node.isEmpty()) {
        node = node.get(0);
      }
      return node == null ? MAPPER.createObjectNode() : node;
    } catch (Exception e) {
      // A proxy's HTML page, say: the status still tells what failed.
      return MAPPER.createObjectNode();
    }
  }
}
