package io.aihandler.demo.standin;

import com.fasterxml.jackson.databind.JsonNode;
import mockwebserver3.MockResponse;
import okhttp3.Headers;

/**
 * The Anthropic Messages API: {@code x-api-key} and {@code anthropic-version} headers, a top-level
 * {@code system}, structured output as a forced tool ({@code tool_use} block) or as {@code
 * output_config.format}, and 529 {@code overloaded_error} when busy.
 */
public final class AnthropicStandIn extends ProviderStandIn {

  private final String key;

  /**
   * @param key the only key this stand-in accepts
   */
  public AnthropicStandIn(String key) {
    super("Anthropic Messages API");
    this.key = key;
  }

  /** Anthropic's answer when it is overloaded. */
  public static MockResponse overloaded() {
    return json(
        529,
        """
        {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""");
  }

  @Override
  protected boolean isGeneration(String method, String path) {
    return method.equals("POST") && path.equals("/v1/messages");
  }

  @Override
  protected boolean authorized(Headers headers) {
    return key.equals(headers.get("x-api-key")) && headers.get("anthropic-version") != null;
  }

  @Override
  protected MockResponse unauthorized() {
    return json(
        401,
        """
        {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CSHoEeqs5C35K2UUqR7G0"}""");
  }

  @Override
  protected MockResponse generate(String path, JsonNode request) {
    if (!request.path("max_tokens").isNumber()) {
      return json(
          400,
          """
          {"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_011CSHoEeqs5C35K2UUqR7G1"}""");
    }
    String conversation =
        request.path("system").isTextual()
            ? request.path("system").asText()
                + "\n"
                + ScriptedModel.conversation(request.path("messages"))
            : ScriptedModel.conversation(request.path("system"))
                + ScriptedModel.conversation(request.path("messages"));
    String forcedTool =
        request.at("/tool_choice/type").asText().equals("tool")
            ? request.at("/tool_choice/name").asText()
            : null;
    String content;
    String stopReason;
    if (forcedTool != null) {
      JsonNode schema = null;
      for (JsonNode tool : request.path("tools")) {
        if (forcedTool.equals(tool.path("name").asText())) {
          schema = tool.path("input_schema");
        }
      }
      content =
          """
          {"type":"tool_use","id":"toolu_01D7FLrfh4GYq7yT1ULFeyMV","name":%s,"input":%s}"""
              .formatted(
                  quote(forcedTool),
                  ScriptedModel.structured(
                      schema == null ? MAPPER.createObjectNode() : schema, conversation));
      stopReason = "tool_use";
    } else {
      JsonNode schema = request.at("/output_config/format/schema");
      String text =
          schema.isObject()
              ? ScriptedModel.structured(schema, conversation).toString()
              : ScriptedModel.text("claude-sonnet-4-5", conversation);
      content = "{\"type\":\"text\",\"text\":" + quote(text) + "}";
      stopReason = "end_turn";
    }
    int inputTokens = Math.max(1, conversation.length() / 4);
    return json(
        200,
        """
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
        "content":[%s],"stop_reason":"%s","stop_sequence":null,\
        "usage":{"input_tokens":%d,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":%d,\
        "service_tier":"standard"}}"""
            .formatted(content, stopReason, inputTokens, Math.max(1, content.length() / 4)));
  }

  @Override
  protected MockResponse other(String method, String path) {
    if (method.equals("GET") && path.equals("/v1/models")) {
      return json(
          200,
          """
          {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5",\
          "created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5-20250929",\
          "last_id":"claude-sonnet-4-5-20250929"}""");
    }
    return json(
        404,
        """
        {"type":"error","error":{"type":"not_found_error","message":"Not found"},"request_id":"req_011CSHoEeqs5C35K2UUqR7G2"}""");
  }
}
