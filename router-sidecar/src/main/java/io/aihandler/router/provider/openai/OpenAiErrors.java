package io.aihandler.router.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.router.provider.RetryAfter;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.runtime.Json;
import java.util.Map;

/** Maps OpenAI and vLLM error bodies to {@link UpstreamError}. */
final class OpenAiErrors {

  private static final ObjectMapper MAPPER = Json.mapper();

  private OpenAiErrors() {}

  static UpstreamError toError(int status, String body, Map<String, String> headers) {
    String message = null;
    String type = null;
    String code = null;
    try {
      JsonNode root = body == null || body.isBlank() ? null : MAPPER.readTree(body);
      // OpenAI and newer vLLM: {"error": {...}}; older vLLM: {"object": "error", "message": ...}
      JsonNode err = root == null ? null : root.has("error") ? root.get("error") : root;
      if (err != null && err.isObject()) {
        message = text(err.get("message"));
        type = text(err.get("type"));
        code = text(err.get("code"));
      } else if (err != null && err.isTextual()) {
        message = err.asText();
      }
    } catch (Exception notJson) {
      message = null;
    }
    if (message == null) {
      message = "upstream answered HTTP " + status;
    }
    UpstreamError.Kind kind = kindOf(status);
    return new UpstreamError(
        status == 529 ? 503 : status,
        kind,
        openAiType(kind, status, type),
        code,
        message,
        RetryAfter.SYSTEM.of(headers));
  }

  static UpstreamError.Kind kindOf(int status) {
    if (status == 401 || status == 403) {
      return UpstreamError.Kind.AUTHENTICATION;
    }
    if (status == 429) {
      return UpstreamError.Kind.RATE_LIMITED;
    }
    if (status >= 500 || status == 408) {
      return UpstreamError.Kind.SERVER_ERROR;
    }
    return UpstreamError.Kind.CLIENT_ERROR;
  }

  private static String openAiType(UpstreamError.Kind kind, int status, String given) {
    if (given != null && given.endsWith("_error")) {
      return given;
    }
    return switch (kind) {
      case AUTHENTICATION -> status == 403 ? "permission_error" : "authentication_error";
      case RATE_LIMITED -> "rate_limit_error";
      case SERVER_ERROR -> "server_error";
      case CLIENT_ERROR -> status == 404 ? "not_found_error" : "invalid_request_error";
    };
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
