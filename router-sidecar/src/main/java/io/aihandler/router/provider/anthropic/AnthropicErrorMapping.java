package io.aihandler.router.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.provider.RetryAfter;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.runtime.Json;
import java.time.Duration;
import java.util.Map;

/**
 * Anthropic's errors ({@code {"type":"error","error":{"type","message"}}}, as an HTTP error body or
 * as an in-band {@code error} event of a stream) in terms the router acts on.
 */
final class AnthropicErrorMapping {

  private static final ObjectMapper MAPPER = Json.mapper();

  /** Anthropic's "overloaded" status; clients know it as 503. */
  static final int OVERLOADED = 529;

  private AnthropicErrorMapping() {}

  static UpstreamError fromResponse(int status, String body, Map<String, String> headers) {
    JsonNode error = parse(body).path("error");
    String anthropicType = error.path("type").asText(null);
    String message = error.path("message").asText(null);
    if (message == null || message.isBlank()) {
      message = "Anthropic answered HTTP " + status;
    }
    return map(status, anthropicType, message, RetryAfter.SYSTEM.of(headers));
  }

  /** An in-band stream {@code error} event; the HTTP status was 200, so the type decides. */
  static UpstreamError fromStreamEvent(JsonNode event) {
    JsonNode error = event.path("error");
    String anthropicType = error.path("type").asText("api_error");
    String message = error.path("message").asText("Anthropic reported an error mid-stream");
    return map(statusOf(anthropicType), anthropicType, message, null);
  }

  private static UpstreamError map(
      int status, String anthropicType, String message, Duration retryAfter) {
    return UpstreamError.ofStatus(status, anthropicType, message, retryAfter);
  }

  private static int statusOf(String anthropicType) {
    return switch (anthropicType) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "permission_error" -> 403;
      case "not_found_error" -> 404;
      case "request_too_large" -> 413;
      case "rate_limit_error" -> 429;
      case "overloaded_error" -> OVERLOADED;
      case "timeout_error" -> 504;
      default -> 500; // api_error and anything new
    };
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      return node == null ? MAPPER.createObjectNode() : node;
    } catch (Exception e) {
      // A proxy's HTML page, say: the status still tells what failed.
      return MAPPER.createObjectNode();
    }
  }
}
