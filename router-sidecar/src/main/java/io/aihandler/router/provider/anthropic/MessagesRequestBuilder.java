package io.aihandler.router.provider.anthropic;

import static io.aihandler.router.provider.ChatCompletionShapes.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.ChatRequestFields;
import io.aihandler.router.provider.MergedTurns;
import io.aihandler.router.provider.MessageText;
import io.aihandler.router.provider.ToolCallArguments;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UnsupportedRequestException;
import io.aihandler.router.provider.anthropic.AnthropicTranslator.StructuredOutputMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds an Anthropic Messages request body from an OpenAI chat-completions request. Pure: the same
 * request and context always give the same body.
 */
final class MessagesRequestBuilder {

  /**
   * Sent as the first user turn when a conversation opens with an assistant message: Anthropic
   * requires the first message to come from the user, and OpenAI clients may open with a greeting.
   */
  static final String OPENING_USER_TURN = "(start of conversation)";

  /** Anthropic's sampling temperature ranges over 0–1, OpenAI's over 0–2. */
  private static final double MAX_TEMPERATURE = 1.0;

  /** What this translation maps onto the Messages API. */
  private static final Set<String> TRANSLATED =
      Set.of(
          "model",
          "messages",
          "max_tokens",
          "max_completion_tokens",
          "temperature",
          "top_p",
          "stop",
          "stream",
          "stream_options",
          "tools",
          "tool_choice",
          "parallel_tool_calls",
          "response_format",
          "user",
          "n");

  /** Refused by {@link #refuseUnsupported} with a reason of their own. */
  private static final Set<String> REFUSED =
      Set.of(
          "seed",
          "logprobs",
          "top_logprobs",
          "presence_penalty",
          "frequency_penalty",
          "logit_bias",
          "audio",
          "prediction",
          "functions",
          "function_call",
          "reasoning_effort",
          "web_search_options");

  private MessagesRequestBuilder() {}

  static ObjectNode build(
      ObjectNode chat, TranslationContext context, StructuredOutputMode preferred) {
    refuseUnsupported(chat);
    ObjectNode body = JSON.objectNode();
    body.put("model", context.model());
    body.put("max_tokens", maxTokens(chat, context));

    JsonNode messages = chat.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new UnsupportedRequestException("messages", "'messages' must be a non-empty array");
    }
    ArrayNode system = JSON.arrayNode();
    MergedTurns turns = new MergedTurns();
    for (int i = 0; i < messages.size(); i++) {
      addMessage(messages.get(i), i, system, turns);
    }
    if (turns.isEmpty()) {
      throw new UnsupportedRequestException(
          "messages", "Anthropic needs at least one user or assistant message besides the system");
    }
    if (!system.isEmpty()) {
      body.set("system", system);
    }
    if (turns.turns().get(0).role().equals("assistant")) {
      turns.prepend("user", textBlock(OPENING_USER_TURN));
    }
    ArrayNode out = body.putArray("messages");
    for (MergedTurns.Turn turn : turns.turns()) {
      out.add(message(turn));
    }

    ArrayNode stop = stopSequences(chat.get("stop"));
    if (stop != null) {
      body.set("stop_sequences", stop);
    }
    JsonNode temperature = chat.get("temperature");
    if (temperature != null && !temperature.isNull()) {
      requireNumber(temperature, "temperature");
      body.put("temperature", Math.min(Math.max(temperature.asDouble(), 0), MAX_TEMPERATURE));
    }
    JsonNode topP = chat.get("top_p");
    if (topP != null && !topP.isNull()) {
      requireNumber(topP, "top_p");
      body.put("top_p", topP.asDouble());
    }

    boolean hasTools = chat.path("tools").isArray() && !chat.path("tools").isEmpty();
    StructuredOutputPlan plan =
        StructuredOutputPlan.forRequest(context, chat.get("response_format"), hasTools, preferred);
    if (hasTools) {
      body.set("tools", tools(chat.get("tools")));
      refuseAnswerToolClash(
          body.get("tools"), StructuredOutputPlan.answerToolName(context, preferred));
      ObjectNode toolChoice = toolChoice(chat.get("tool_choice"), chat.get("parallel_tool_calls"));
      if (toolChoice != null) {
        body.set("tool_choice", toolChoice);
      }
    }
    if (plan.mode() == StructuredOutputMode.FORCED_TOOL) {
      ObjectNode tool = body.putArray("tools").addObject();
      tool.put("name", plan.toolName());
      tool.put("description", "Give the final answer as this tool's input.");
      tool.set("input_schema", plan.schema());
      body.putObject("tool_choice").put("type", "tool").put("name", plan.toolName());
    } else if (plan.mode() == StructuredOutputMode.OUTPUT_FORMAT) {
      body.putObject("output_config")
          .putObject("format")
          .put("type", "json_schema")
          .set("schema", plan.schema());
    }

    JsonNode user = chat.get("user");
    if (user != null && user.isTextual() && !user.asText().isEmpty()) {
      body.putObject("metadata").put("user_id", user.asText());
    }
    if (chat.path("stream").asBoolean(false)) {
      body.put("stream", true);
    }
    return body;
  }

  /** Parameters with no Anthropic equivalent are refused rather than silently dropped. */
  private static void refuseUnsupported(ObjectNode chat) {
    ChatRequestFields.refuseUnknown(chat, TRANSLATED, REFUSED, "Anthropic");
    JsonNode n = chat.get("n");
    if (n != null && !n.isNull() && n.asInt(1) != 1) {
      refuse("n", "Anthropic returns one choice per request; 'n' must be 1");
    }
    refuseIfPresent(chat, "seed", "Anthropic has no sampling seed");
    if (chat.path("logprobs").asBoolean(false)) {
      refuse("logprobs", "Anthropic does not return log probabilities");
    }
    refuseIfPresent(chat, "top_logprobs", "Anthropic does not return log probabilities");
    refuseIfNonZero(chat, "presence_penalty");
    refuseIfNonZero(chat, "frequency_penalty");
    JsonNode logitBias = chat.get("logit_bias");
    if (logitBias != null && !logitBias.isNull() && !logitBias.isEmpty()) {
      refuse("logit_bias", "Anthropic does not support 'logit_bias'");
    }
    refuseIfPresent(chat, "audio", "Anthropic does not produce audio");
    refuseIfPresent(chat, "prediction", "Anthropic does not support predicted outputs");
    refuseIfPresent(chat, "functions", "use 'tools' instead of the deprecated 'functions'");
    refuseIfPresent(chat, "function_call", "use 'tool_choice' instead of 'function_call'");
    refuseIfPresent(
        chat, "reasoning_effort", "'reasoning_effort' has no Anthropic equivalent here");
    refuseIfPresent(chat, "web_search_options", "Anthropic web search is not offered here");
  }

  private static void refuseIfPresent(ObjectNode chat, String param, String why) {
    JsonNode value = chat.get(param);
    if (value != null && !value.isNull()) {
      refuse(param, why);
    }
  }

  private static void refuseIfNonZero(ObjectNode chat, String param) {
    JsonNode value = chat.get(param);
    if (value != null && !value.isNull() && value.asDouble() != 0) {
      refuse(param, "Anthropic does not support '" + param + "'");
    }
  }

  private static void refuse(String param, String why) {
    throw new UnsupportedRequestException(param, "Unsupported parameter '" + param + "': " + why);
  }

  private static int maxTokens(ObjectNode chat, TranslationContext context) {
    for (String param : List.of("max_completion_tokens", "max_tokens")) {
      JsonNode value = chat.get(param);
      if (value != null && !value.isNull()) {
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
          throw new UnsupportedRequestException(
              param, "'" + param + "' must be a positive integer");
        }
        return value.asInt();
      }
    }
    if (context.defaultMaxTokens() < 1) {
      throw new UnsupportedRequestException(
          "max_tokens",
          "Anthropic requires 'max_tokens' and the backend has no default; set 'max_tokens'");
    }
    return context.defaultMaxTokens();
  }

  private static void requireNumber(JsonNode value, String param) {
    if (!value.isNumber()) {
      throw new UnsupportedRequestException(param, "'" + param + "' must be a number");
    }
  }

  private static ArrayNode stopSequences(JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return null;
    }
    ArrayNode sequences = JSON.arrayNode();
    if (stop.isTextual()) {
      sequences.add(stop.asText());
    } else if (stop.isArray()) {
      for (JsonNode sequence : stop) {
        if (!sequence.isTextual()) {
          throw new UnsupportedRequestException("stop", "'stop' must be a string or strings");
        }
        sequences.add(sequence.asText());
      }
    } else {
      throw new UnsupportedRequestException("stop", "'stop' must be a string or strings");
    }
    return sequences.isEmpty() ? null : sequences;
  }

  // --- messages ---

  /** An Anthropic message from a merged turn; a user turn lists its tool results first. */
  private static ObjectNode message(MergedTurns.Turn turn) {
    ObjectNode message = JSON.objectNode();
    message.put("role", turn.role());
    ArrayNode ordered = turn.items();
    if (turn.role().equals("user")) {
      // Anthropic wants tool_result blocks before anything else in a user turn.
      ordered = JSON.arrayNode();
      for (JsonNode block : turn.items()) {
        if (block.path("type").asText().equals("tool_result")) {
          ordered.add(block);
        }
      }
      for (JsonNode block : turn.items()) {
        if (!block.path("type").asText().equals("tool_result")) {
          ordered.add(block);
        }
      }
    }
    message.set("content", ordered);
    return message;
  }

  private static void addMessage(JsonNode message, int index, ArrayNode system, MergedTurns turns) {
    String where = "messages[" + index + "]";
    if (!message.isObject() || !message.path("role").isTextual()) {
      throw new UnsupportedRequestException("messages", where + " must be an object with a 'role'");
    }
    String role = message.get("role").asText();
    switch (role) {
      case "system", "developer" -> system.addAll(textBlocks(message.get("content"), where));
      case "user" -> turns.append("user", userBlocks(message.get("content"), where));
      case "assistant" -> turns.append("assistant", assistantBlocks(message, where));
      case "tool" -> turns.append("user", List.of(toolResult(message, where)));
      default ->
          throw new UnsupportedRequestException(
              "messages", where + " has role '" + role + "', which Anthropic cannot take");
    }
  }

  /** Text content (a string or text parts) as text blocks, in a list callers may add to. */
  private static List<ObjectNode> textBlocks(JsonNode content, String where) {
    return MessageText.texts(content, where).stream()
        .map(MessagesRequestBuilder::textBlock)
        .collect(Collectors.toCollection(ArrayList::new));
  }

  private static ObjectNode textBlock(String text) {
    return JSON.objectNode().put("type", "text").put("text", text);
  }

  private static void addText(List<ObjectNode> blocks, String text) {
    if (!text.isEmpty()) {
      blocks.add(JSON.objectNode().put("type", "text").put("text", text));
    }
  }

  private static List<ObjectNode> userBlocks(JsonNode content, String where) {
    if (content == null || !content.isArray()) {
      return textBlocks(content, where);
    }
    List<ObjectNode> blocks = new ArrayList<>();
    for (JsonNode part : content) {
      String type = part.path("type").asText();
      switch (type) {
        case "text" -> addText(blocks, part.path("text").asText());
        case "image_url" -> blocks.add(image(part.path("image_url").path("url").asText(), where));
        case "file" -> blocks.add(document(part.path("file"), where));
        default ->
            throw new UnsupportedRequestException(
                "messages", where + " has a '" + type + "' part, which Anthropic cannot take");
      }
    }
    return blocks;
  }

  private static ObjectNode image(String url, String where) {
    ObjectNode block = JSON.objectNode().put("type", "image");
    DataUrl data = DataUrl.parse(url);
    if (data != null) {
      block
          .putObject("source")
          .put("type", "base64")
          .put("media_type", data.mediaType())
          .put("data", data.base64());
    } else if (url.startsWith("https://") || url.startsWith("http://")) {
      block.putObject("source").put("type", "url").put("url", url);
    } else {
      throw new UnsupportedRequestException(
          "messages", where + " has an image that is neither a data URL nor an http(s) URL");
    }
    return block;
  }

  /** OpenAI file parts inline base64 data; Anthropic takes PDFs as document blocks. */
  private static ObjectNode document(JsonNode file, String where) {
    DataUrl data = DataUrl.parse(file.path("file_data").asText(""));
    if (data == null || !data.mediaType().equals("application/pdf")) {
      throw new UnsupportedRequestException(
          "messages", where + " has a file part; Anthropic takes only inline PDF data here");
    }
    ObjectNode block = JSON.objectNode().put("type", "document");
    block
        .putObject("source")
        .put("type", "base64")
        .put("media_type", data.mediaType())
        .put("data", data.base64());
    return block;
  }

  private static List<ObjectNode> assistantBlocks(JsonNode message, String where) {
    List<ObjectNode> blocks = textBlocks(message.get("content"), where);
    JsonNode toolCalls = message.get("tool_calls");
    if (toolCalls == null || toolCalls.isNull()) {
      return blocks;
    }
    for (JsonNode call : toolCalls) {
      String id = call.path("id").asText("");
      String name = call.path("function").path("name").asText("");
      if (id.isEmpty() || name.isEmpty()) {
        throw new UnsupportedRequestException(
            "messages", where + " has a tool call without an 'id' or 'function.name'");
      }
      ObjectNode block = JSON.objectNode();
      block.put("type", "tool_use");
      block.put("id", id);
      block.put("name", name);
      block.set(
          "input", ToolCallArguments.asObject(call.path("function").get("arguments"), where, id));
      blocks.add(block);
    }
    return blocks;
  }

  private static ObjectNode toolResult(JsonNode message, String where) {
    String id = message.path("tool_call_id").asText("");
    if (id.isEmpty()) {
      throw new UnsupportedRequestException(
          "messages", where + " is a tool message without 'tool_call_id'");
    }
    ObjectNode block = JSON.objectNode();
    block.put("type", "tool_result");
    block.put("tool_use_id", id);
    StringBuilder text = new StringBuilder();
    for (ObjectNode part : textBlocks(message.get("content"), where)) {
      text.append(part.get("text").asText());
    }
    if (!text.isEmpty()) {
      block.put("content", text.toString());
    }
    return block;
  }

  // --- tools ---

  private static ArrayNode tools(JsonNode tools) {
    ArrayNode out = JSON.arrayNode();
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      if (!tool.path("type").asText("function").equals("function")) {
        throw new UnsupportedRequestException(
            "tools",
            "tools["
                + i
                + "] has type '"
                + tool.path("type").asText()
                + "'; only function tools are supported");
      }
      JsonNode function = tool.path("function");
      String name = function.path("name").asText("");
      if (name.isEmpty()) {
        throw new UnsupportedRequestException(
            "tools", "tools[" + i + "].function.name is required");
      }
      ObjectNode converted = out.addObject();
      converted.put("name", name);
      if (function.hasNonNull("description")) {
        converted.put("description", function.get("description").asText());
      }
      JsonNode parameters = function.get("parameters");
      if (parameters == null || parameters.isNull()) {
        ObjectNode empty = converted.putObject("input_schema");
        empty.put("type", "object");
        empty.putObject("properties");
      } else {
        converted.set("input_schema", parameters);
      }
      if (function.path("strict").asBoolean(false)) {
        converted.put("strict", true);
      }
    }
    return out;
  }

  /**
   * A response's tool_use block named like the answer tool is read as the answer, so an application
   * tool may not share that name while a schema is asked for.
   */
  private static void refuseAnswerToolClash(JsonNode tools, String answerTool) {
    if (answerTool == null) {
      return;
    }
    for (JsonNode tool : tools) {
      if (tool.path("name").asText().equals(answerTool)) {
        throw new UnsupportedRequestException(
            "tools",
            "tool '"
                + answerTool
                + "' has the name of the response schema; rename the tool or the schema");
      }
    }
  }

  private static ObjectNode toolChoice(JsonNode choice, JsonNode parallelToolCalls) {
    ObjectNode out = null;
    if (choice == null || choice.isNull()) {
      out = null;
    } else if (choice.isTextual()) {
      out =
          switch (choice.asText()) {
            case "auto" -> JSON.objectNode().put("type", "auto");
            case "required" -> JSON.objectNode().put("type", "any");
            case "none" -> JSON.objectNode().put("type", "none");
            default ->
                throw new UnsupportedRequestException(
                    "tool_choice", "'tool_choice' must be auto, required, none or a function");
          };
    } else if (choice.path("function").hasNonNull("name")) {
      out =
          JSON.objectNode()
              .put("type", "tool")
              .put("name", choice.get("function").get("name").asText());
    } else {
      throw new UnsupportedRequestException(
          "tool_choice", "'tool_choice' must be auto, required, none or a function");
    }
    boolean serial =
        parallelToolCalls != null
            && parallelToolCalls.isBoolean()
            && !parallelToolCalls.asBoolean();
    if (serial) {
      if (out == null) {
        out = JSON.objectNode().put("type", "auto");
      }
      if (!out.get("type").asText().equals("none")) {
        out.put("disable_parallel_tool_use", true);
      }
    }
    return out;
  }

  /** A {@code data:<media type>;base64,<data>} URL. */
  record DataUrl(String mediaType, String base64) {
    static DataUrl parse(String url) {
      if (!url.startsWith("data:")) {
        return null;
      }
      int comma = url.indexOf(',');
      int marker = url.indexOf(";base64");
      if (comma < 0 || marker < 0 || marker > comma) {
        return null;
      }
      return new DataUrl(url.substring(5, marker), url.substring(comma + 1));
    }
  }
}
