package io.aihandler.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@code POST /v1/responses} body into the sidecar's internal request, a chat-completions
 * request, so that every provider translator, limit and policy of the chat path serves it. Pure:
 * the same body and previous conversation always give the same request. Every field is either
 * mapped or refused with 400 naming it; none is dropped.
 */
public final class ResponsesRequestTranslator {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Fields the translation maps onto the chat request or the response object. */
  private static final Set<String> HONOURED =
      Set.of(
          "model",
          "input",
          "instructions",
          "tools",
          "tool_choice",
          "parallel_tool_calls",
          "text",
          "max_output_tokens",
          "temperature",
          "top_p",
          "metadata",
          "user",
          "stream",
          "store",
          "previous_response_id",
          "reasoning",
          "variables",
          "background",
          "truncation",
          "include",
          "stream_options",
          "service_tier");

  /**
   * Responses features the sidecar does not offer; null (as SDKs send for unset fields) is
   * accepted, any value refused. {@code background}, {@code truncation}, {@code include}, {@code
   * stream_options} and {@code service_tier} are accepted only with their default values.
   */
  private static final Map<String, String> UNSUPPORTED =
      Map.ofEntries(
          Map.entry("conversation", "conversations are not offered; use previous_response_id"),
          Map.entry("prompt", "stored prompts are not offered; send instructions and input"),
          Map.entry("max_tool_calls", "only function tools are offered, which the client runs"),
          Map.entry("top_logprobs", "log probabilities are not offered"),
          Map.entry("safety_identifier", "send the end-user id as 'user'"),
          Map.entry("prompt_cache_key", "prompt cache keys are not offered"),
          Map.entry("prompt_cache_retention", "prompt cache retention is not offered"),
          Map.entry("prompt_cache_options", "prompt cache options are not offered"),
          Map.entry("moderation", "moderation is not offered"),
          Map.entry("context_management", "context management is not offered"));

  /** Metadata bounds, as OpenAI sets them. */
  static final int MAX_METADATA_ENTRIES = 16;

  static final int MAX_METADATA_KEY_CHARS = 64;
  static final int MAX_METADATA_VALUE_CHARS = 512;

  private ResponsesRequestTranslator() {}

  /**
   * The chat request and what the conversation holds.
   *
   * @param chat the chat-completions request to route
   * @param instructions the system message made from {@code instructions}, or null: it binds this
   *     response only and is never stored with the conversation
   */
  public record ChatRequest(ObjectNode chat, ObjectNode instructions) {}

  /** Checks every field of the body; returns what the response object echoes. */
  public static ResponseSettings settings(ObjectNode body) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (HONOURED.contains(name) || isNull(body.get(name))) {
        continue;
      }
      String why = UNSUPPORTED.get(name);
      if (why != null) {
        throw unsupported(name, why);
      }
      throw ApiException.badRequest("unknown_parameter", name, "Unknown parameter: '" + name + "'");
    }
    onlyDefault(
        body, "background", JSON.booleanNode(false), "background responses are not offered");
    onlyDefault(body, "truncation", JSON.textNode("disabled"), "truncation is not offered");
    onlyDefault(body, "service_tier", JSON.textNode("auto"), "service tiers are not offered");
    JsonNode include = body.get("include");
    if (!isNull(include) && !(include.isArray() && include.isEmpty())) {
      throw unsupported("include", "no extra output data is offered");
    }
    boolean stream = bool(body, "stream", false);
    JsonNode options = body.get("stream_options");
    if (!isNull(options)) {
      if (!stream) {
        throw ApiException.badRequest(
            "invalid_value", "stream_options", "'stream_options' needs stream: true");
      }
      if (!options.isObject()) {
        throw ApiException.badRequest(
            "invalid_type", "stream_options", "'stream_options' must be an object");
      }
      for (Map.Entry<String, JsonNode> e : options.properties()) {
        boolean obfuscationOff =
            e.getKey().equals("include_obfuscation")
                && (e.getValue().isNull() || e.getValue().equals(JSON.booleanNode(false)));
        if (!obfuscationOff) {
          throw unsupported(
              "stream_options." + e.getKey(),
              "stream obfuscation is not offered (the stream stays on the pod's loopback)");
        }
      }
    }
    return new ResponseSettings(
        optionalText(body, "instructions"),
        functionTools(body.get("tools")),
        toolChoice(body.get("tool_choice")),
        bool(body, "parallel_tool_calls", true),
        text(body.get("text")),
        metadata(body.get("metadata")),
        optionalText(body, "user"),
        optionalText(body, "previous_response_id"),
        reasoningEffort(body.get("reasoning")),
        bool(body, "store", true),
        stream);
  }

  /**
   * The chat request: the instructions first, then the previous conversation, then this request's
   * input.
   *
   * @param previous the stored conversation this request continues, in chat messages; empty when
   *     none
   * @param maxItems the most messages the whole conversation may hold
   */
  public static ChatRequest chatRequest(
      ObjectNode body, ResponseSettings settings, List<ObjectNode> previous, int maxItems) {
    ObjectNode chat = JSON.objectNode();
    if (body.has("model")) {
      chat.set("model", body.get("model"));
    }
    ArrayNode messages = chat.putArray("messages");
    ObjectNode instructions = null;
    if (settings.instructions() != null) {
      instructions =
          JSON.objectNode().put("role", "system").put("content", settings.instructions());
      messages.add(instructions);
    }
    messages.addAll(previous);
    input(body.get("input"), messages);
    if (messages.size() > maxItems) {
      throw ApiException.badRequest(
          "too_many_items",
          "input",
          "the conversation holds "
              + messages.size()
              + " messages, more than the "
              + maxItems
              + " allowed (sidecar.maxJsonArrayItems)");
    }
    if (!settings.tools().isEmpty()) {
      ArrayNode tools = chat.putArray("tools");
      for (JsonNode t : settings.tools()) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.set("name", t.get("name"));
        copyIfPresent(t, "description", function);
        copyIfPresent(t, "parameters", function);
        copyIfPresent(t, "strict", function);
      }
    }
    if (!isNull(body.get("tool_choice"))) {
      JsonNode choice = settings.toolChoice();
      chat.set(
          "tool_choice",
          choice.isTextual()
              ? choice
              : JSON.objectNode()
                  .put("type", "function")
                  .set("function", JSON.objectNode().set("name", choice.get("name"))));
    }
    if (!isNull(body.get("parallel_tool_calls"))) {
      chat.put("parallel_tool_calls", settings.parallelToolCalls());
    }
    responseFormat(settings.text(), chat);
    JsonNode maxTokens = body.get("max_output_tokens");
    if (!isNull(maxTokens)) {
      if (!maxTokens.isIntegralNumber() || !maxTokens.canConvertToInt() || maxTokens.asInt() < 1) {
        throw ApiException.badRequest(
            "invalid_value", "max_output_tokens", "'max_output_tokens' must be a positive integer");
      }
      // Responses counts reasoning tokens in this bound, as max_completion_tokens does.
      chat.put("max_completion_tokens", maxTokens.asInt());
    }
    number(body, "temperature", 0, 2, chat);
    number(body, "top_p", 0, 1, chat);
    if (settings.user() != null) {
      chat.put("user", settings.user());
    }
    if (settings.reasoningEffort() != null) {
      chat.put("reasoning_effort", settings.reasoningEffort());
    }
    if (!isNull(body.get("variables"))) {
      chat.set("variables", body.get("variables"));
    }
    if (settings.stream()) {
      chat.put("stream", true);
    }
    return new ChatRequest(chat, instructions);
  }

  // ---- the conversation ----

  private static void input(JsonNode input, ArrayNode messages) {
    if (isNull(input)) {
      return;
    }
    if (input.isTextual()) {
      messages.addObject().put("role", "user").put("content", input.asText());
    } else if (input.isArray()) {
      for (int i = 0; i < input.size(); i++) {
        item(input.get(i), "input[" + i + "]", messages);
      }
    } else {
      throw ApiException.badRequest(
          "invalid_type", "input", "'input' must be a string or an array of items");
    }
  }

  private static void item(JsonNode item, String at, ArrayNode messages) {
    if (!item.isObject()) {
      throw ApiException.badRequest("invalid_type", at, at + " must be an object");
    }
    String type = item.path("type").asText(item.has("role") ? "message" : "");
    switch (type) {
      case "message" -> messages.add(message(item, at));
      case "function_call" -> functionCall(item, at, messages);
      case "function_call_output" -> messages.add(functionCallOutput(item, at));
      default ->
          throw unsupported(
              at + ".type",
              "input items of type '"
                  + type
                  + "' are not offered; send message, function_call"
                  + " and function_call_output items");
    }
  }

  private static ObjectNode message(JsonNode item, String at) {
    String role = item.path("role").asText("");
    if (!Set.of("user", "system", "developer", "assistant").contains(role)) {
      throw ApiException.badRequest(
          "invalid_value",
          at + ".role",
          at + ".role must be one of user, system, developer, assistant");
    }
    ObjectNode m = JSON.objectNode().put("role", role);
    JsonNode content = item.get("content");
    if (content != null && content.isTextual()) {
      m.put("content", content.asText());
      return m;
    }
    if (content == null || !content.isArray()) {
      throw ApiException.badRequest(
          "invalid_type", at + ".content", at + ".content must be a string or an array of parts");
    }
    boolean assistant = role.equals("assistant");
    ArrayNode parts = JSON.arrayNode();
    StringBuilder text = new StringBuilder();
    boolean onlyText = true;
    for (int j = 0; j < content.size(); j++) {
      ObjectNode part = part(content.get(j), at + ".content[" + j + "]", assistant);
      if (part.path("type").asText().equals("text")) {
        text.append(part.path("text").asText());
      } else {
        onlyText = false;
      }
      parts.add(part);
    }
    // Chat content is a string where it can be: every provider reads that form, and an
    // assistant turn takes no other.
    if (onlyText && (assistant || parts.size() == 1)) {
      m.put("content", text.toString());
    } else {
      m.set("content", parts);
    }
    return m;
  }

  private static ObjectNode part(JsonNode part, String at, boolean assistant) {
    if (!part.isObject()) {
      throw ApiException.badRequest("invalid_type", at, at + " must be an object");
    }
    String type = part.path("type").asText("");
    Set<String> allowed =
        assistant
            ? Set.of("output_text", "refusal", "input_text")
            : Set.of("input_text", "input_image", "input_file");
    if (!allowed.contains(type)) {
      throw unsupported(
          at + ".type",
          (assistant
                  ? "an assistant message takes output_text and refusal parts"
                  : "a message takes input_text, input_image and input_file parts")
              + ", not '"
              + type
              + "'");
    }
    return switch (type) {
      case "input_text", "output_text" ->
          JSON.objectNode().put("type", "text").put("text", requiredText(part, "text", at));
      case "refusal" ->
          JSON.objectNode().put("type", "text").put("text", requiredText(part, "refusal", at));
      case "input_image" -> {
        refuseFileId(part, at);
        ObjectNode image = JSON.objectNode().put("type", "image_url");
        ObjectNode url =
            image.putObject("image_url").put("url", requiredText(part, "image_url", at));
        if (part.path("detail").isTextual()) {
          url.put("detail", part.get("detail").asText());
        }
        yield image;
      }
      default -> {
        refuseFileId(part, at);
        if (!isNull(part.get("file_url"))) {
          throw unsupported(at + ".file_url", "files are sent inline as file_data, not fetched");
        }
        ObjectNode file = JSON.objectNode().put("type", "file");
        ObjectNode f = file.putObject("file").put("file_data", requiredText(part, "file_data", at));
        if (part.path("filename").isTextual()) {
          f.put("filename", part.get("filename").asText());
        }
        yield file;
      }
    };
  }

  private static void refuseFileId(JsonNode part, String at) {
    if (!isNull(part.get("file_id"))) {
      throw unsupported(at + ".file_id", "uploaded files are not offered; send the data inline");
    }
  }

  /** A function call joins the assistant turn before it, as parallel calls share one turn. */
  private static void functionCall(JsonNode item, String at, ArrayNode messages) {
    String callId = requiredText(item, "call_id", at);
    String name = requiredText(item, "name", at);
    String arguments = requiredText(item, "arguments", at);
    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    ObjectNode turn;
    if (last != null && last.path("role").asText().equals("assistant")) {
      turn = (ObjectNode) last;
    } else {
      turn = messages.addObject().put("role", "assistant").putNull("content");
    }
    ObjectNode call = turn.withArray("tool_calls").addObject();
    call.put("id", callId).put("type", "function");
    call.putObject("function").put("name", name).put("arguments", arguments);
  }

  private static ObjectNode functionCallOutput(JsonNode item, String at) {
    ObjectNode m = JSON.objectNode().put("role", "tool");
    m.put("tool_call_id", requiredText(item, "call_id", at));
    JsonNode output = item.get("output");
    if (output != null && output.isTextual()) {
      m.put("content", output.asText());
      return m;
    }
    if (output == null || !output.isArray()) {
      throw ApiException.badRequest(
          "invalid_type", at + ".output", at + ".output must be a string or an array of parts");
    }
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < output.size(); j++) {
      JsonNode part = output.get(j);
      String where = at + ".output[" + j + "]";
      if (!part.path("type").asText().equals("input_text")) {
        throw unsupported(where + ".type", "a function call's output takes input_text parts only");
      }
      text.append(requiredText(part, "text", where));
    }
    m.put("content", text.toString());
    return m;
  }

  // ---- settings ----

  private static ArrayNode functionTools(JsonNode tools) {
    if (isNull(tools)) {
      return JSON.arrayNode();
    }
    if (!tools.isArray()) {
      throw ApiException.badRequest("invalid_type", "tools", "'tools' must be an array");
    }
    for (int i = 0; i < tools.size(); i++) {
      JsonNode t = tools.get(i);
      String at = "tools[" + i + "]";
      if (!t.isObject()) {
        throw ApiException.badRequest("invalid_type", at, at + " must be an object");
      }
      String type = t.path("type").asText("");
      if (!type.equals("function")) {
        throw unsupported(
            at + ".type",
            "built-in tools ('"
                + type
                + "') are not offered; only function tools, which the"
                + " client runs");
      }
      requiredText(t, "name", at);
      JsonNode parameters = t.get("parameters");
      if (!isNull(parameters) && !parameters.isObject()) {
        throw ApiException.badRequest(
            "invalid_type", at + ".parameters", at + ".parameters must be an object");
      }
    }
    return (ArrayNode) tools;
  }

  private static JsonNode toolChoice(JsonNode choice) {
    if (isNull(choice)) {
      return JSON.textNode("auto");
    }
    if (choice.isTextual() && Set.of("auto", "none", "required").contains(choice.asText())) {
      return choice;
    }
    if (choice.isObject()
        && choice.path("type").asText().equals("function")
        && choice.path("name").isTextual()) {
      return choice;
    }
    throw unsupported(
        "tool_choice",
        "tool_choice must be auto, none, required or {\"type\": \"function\", \"name\": ...}");
  }

  private static ObjectNode text(JsonNode text) {
    if (isNull(text)) {
      ObjectNode plain = JSON.objectNode();
      plain.putObject("format").put("type", "text");
      return plain;
    }
    if (!text.isObject()) {
      throw ApiException.badRequest("invalid_type", "text", "'text' must be an object");
    }
    for (Map.Entry<String, JsonNode> e : text.properties()) {
      if (!e.getKey().equals("format") && !e.getValue().isNull()) {
        throw unsupported("text." + e.getKey(), "only text.format is offered");
      }
    }
    JsonNode format = text.get("format");
    if (isNull(format)) {
      ObjectNode copy = ((ObjectNode) text).deepCopy();
      copy.putObject("format").put("type", "text");
      return copy;
    }
    String type = format.path("type").asText("");
    switch (type) {
      case "text", "json_object" -> {}
      case "json_schema" -> {
        requiredText(format, "name", "text.format");
        if (!format.path("schema").isObject()) {
          throw ApiException.badRequest(
              "invalid_value", "text.format.schema", "text.format.schema must be an object");
        }
      }
      default ->
          throw ApiException.badRequest(
              "invalid_value",
              "text.format.type",
              "text.format.type must be text, json_object or json_schema");
    }
    return (ObjectNode) text;
  }

  private static void responseFormat(ObjectNode text, ObjectNode chat) {
    JsonNode format = text.get("format");
    switch (format.path("type").asText()) {
      case "json_object" -> chat.putObject("response_format").put("type", "json_object");
      case "json_schema" -> {
        ObjectNode schema =
            chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        schema.set("name", format.get("name"));
        copyIfPresent(format, "description", schema);
        schema.set("schema", format.get("schema"));
        copyIfPresent(format, "strict", schema);
      }
      default -> {} // plain text is what chat answers without a response_format
    }
  }

  private static ObjectNode metadata(JsonNode metadata) {
    if (isNull(metadata)) {
      return JSON.objectNode();
    }
    if (!metadata.isObject()) {
      throw ApiException.badRequest("invalid_type", "metadata", "'metadata' must be an object");
    }
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      throw ApiException.badRequest(
          "invalid_value",
          "metadata",
          "'metadata' holds at most " + MAX_METADATA_ENTRIES + " entries");
    }
    for (Map.Entry<String, JsonNode> e : metadata.properties()) {
      if (e.getKey().length() > MAX_METADATA_KEY_CHARS
          || !e.getValue().isTextual()
          || e.getValue().asText().length() > MAX_METADATA_VALUE_CHARS) {
        throw ApiException.badRequest(
            "invalid_value",
            "metadata",
            "'metadata' maps keys of at most "
                + MAX_METADATA_KEY_CHARS
                + " characters to strings"
                + " of at most "
                + MAX_METADATA_VALUE_CHARS);
      }
    }
    return (ObjectNode) metadata;
  }

  /**
   * {@code reasoning.effort} becomes chat's {@code reasoning_effort}, which OpenAI backends take
   * and the Anthropic and Gemini translators refuse. Summaries are not offered: chat completions
   * return none.
   */
  private static String reasoningEffort(JsonNode reasoning) {
    if (isNull(reasoning)) {
      return null;
    }
    if (!reasoning.isObject()) {
      throw ApiException.badRequest("invalid_type", "reasoning", "'reasoning' must be an object");
    }
    for (Map.Entry<String, JsonNode> e : reasoning.properties()) {
      if (!e.getKey().equals("effort") && !e.getValue().isNull()) {
        throw unsupported("reasoning." + e.getKey(), "only reasoning.effort is offered");
      }
    }
    JsonNode effort = reasoning.get("effort");
    if (isNull(effort)) {
      return null;
    }
    if (!effort.isTextual()) {
      throw ApiException.badRequest(
          "invalid_type", "reasoning.effort", "reasoning.effort must be a string");
    }
    return effort.asText();
  }

  // ---- helpers ----

  private static void onlyDefault(ObjectNode body, String field, JsonNode allowed, String why) {
    JsonNode value = body.get(field);
    if (!isNull(value) && !value.equals(allowed)) {
      throw unsupported(field, why);
    }
  }

  private static void number(
      ObjectNode body, String field, double min, double max, ObjectNode chat) {
    JsonNode value = body.get(field);
    if (isNull(value)) {
      return;
    }
    if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
      throw ApiException.badRequest(
          "invalid_value", field, "'" + field + "' must be a number from " + min + " to " + max);
    }
    chat.set(field, value);
  }

  private static boolean bool(ObjectNode body, String field, boolean absent) {
    JsonNode value = body.get(field);
    if (isNull(value)) {
      return absent;
    }
    if (!value.isBoolean()) {
      throw ApiException.badRequest("invalid_type", field, "'" + field + "' must be a boolean");
    }
    return value.asBoolean();
  }

  private static String optionalText(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (isNull(value)) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest("invalid_type", field, "'" + field + "' must be a string");
    }
    return value.asText();
  }

  private static String requiredText(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw ApiException.badRequest(
          "missing_required_parameter", at + "." + field, at + "." + field + " must be a string");
    }
    return value.asText();
  }

  private static void copyIfPresent(JsonNode from, String field, ObjectNode to) {
    JsonNode value = from.get(field);
    if (!isNull(value)) {
      to.set(field, value);
    }
  }

  private static boolean isNull(JsonNode value) {
    return value == null || value.isNull();
  }

  private static ApiException unsupported(String param, String why) {
    return ApiException.badRequest(
        "unsupported_parameter", param, "Unsupported parameter: '" + param + "': " + why);
  }
}
