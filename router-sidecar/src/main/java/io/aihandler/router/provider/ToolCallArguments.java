package io.aihandler.router.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.aihandler.router.runtime.Json;

/**
 * The arguments of an OpenAI assistant tool call as the object Anthropic ({@code tool_use.input})
 * and Gemini ({@code functionCall.args}) want: OpenAI carries them as a JSON string.
 */
public final class ToolCallArguments {

  private static final ObjectMapper MAPPER = Json.mapper();

  private ToolCallArguments() {}

  /**
   * @param where names the message in errors, e.g. {@code messages[2]}
   * @param id the tool call's id, for the error message
   * @throws UnsupportedRequestException when the arguments are not a JSON object
   */
  public static JsonNode asObject(JsonNode arguments, String where, String id) {
    if (arguments == null || arguments.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (arguments.isObject()) {
      return arguments;
    }
    String text = arguments.asText();
    if (text.isBlank()) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      JsonNode parsed = MAPPER.readTree(text);
      if (parsed != null && parsed.isObject()) {
        return parsed;
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    throw new UnsupportedRequestException(
        "messages", where + " tool call '" + id + "' has arguments that are not a JSON object");
  }
}
