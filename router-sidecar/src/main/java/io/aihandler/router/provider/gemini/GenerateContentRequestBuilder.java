package io.aihandler.router.provider.gemini;

import static io.aihandler.router.provider.ChatCompletionShapes.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.ChatRequestFields;
import io.aihandler.router.provider.MergedTurns;
import io.aihandler.router.provider.MessageText;
import io.aihandler.router.provider.ToolCallArguments;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UnsupportedRequestException;
import io.aihandler.router.runtime.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds a Gemini {@code GenerateContentRequest} from an OpenAI chat-completions request. Pure: the
 * same request and context always give the same body.
 */
final class GenerateContentRequestBuilder {

  private static final ObjectMapper MAPPER = Json.mapper();

  /**
   * Gemini's documented stand-in for a thought signature that was never received (a history written
   * by another model or by a client that dropped it); Gemini 3 refuses a function call in the
   * history without one.
   */
  static final String SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

  /** What this translation maps onto generateContent. */
  private static final Set<String> TRANSLATED =
      Set.of(
          "model",
          "messages",
          "max_tokens",
          "max_completion_tokens",
          "temperature",
          "top_p",
          "stop",
          "seed",
          "presence_penalty",
          "frequency_penalty",
          "stream",
          "stream_options",
          "tools",
          "tool_choice",
          "response_format",
          "n",
          // OpenAI's end-user id for its abuse monitoring: Gemini has none, the answer is the same.
          "user",
          // Gemini has no switch for it; a model asked for one call at a time may still make
          // several, as the API reference says.
          "parallel_tool_calls");

  /** Refused by {@link #refuseUnsupported} with a reason of their own. */
  private static final Set<String> REFUSED =
      Set.of(
          "logprobs",
          "top_logprobs",
          "logit_bias",
          "audio",
          "prediction",
          "functions",
          "function_call",
          "reasoning_effort",
          "web_search_options");

  private GenerateContentRequestBuilder() {}

  static ObjectNode build(ObjectNode chat, TranslationContext context) {
    refuseUnsupported(chat);
    JsonNode messages = chat.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new UnsupportedRequestException("messages", "'messages' must be a non-empty array");
    }
    ObjectNode body = JSON.objectNode();
    ArrayNode systemParts = JSON.arrayNode();
    MergedTurns turns = new MergedTurns();
    Map<String, String> functionNamesByCallId = new HashMap<>();
    boolean needsSignatures = requiresThoughtSignatures(context.model());
    for (int i = 0; i < messages.size(); i++) {
      addMessage(messages.get(i), i, systemParts, turns, functionNamesByCallId, needsSignatures);
    }
    if (turns.isEmpty()) {
      throw new UnsupportedRequestException(
          "messages", "Gemini needs at least one user or assistant message besides the system");
    }
    ArrayNode contents = body.putArray("contents");
    for (MergedTurns.Turn turn : turns.turns()) {
      ObjectNode content = contents.addObject();
      content.put("role", turn.role());
      content.set("parts", turn.items());
    }
    if (!systemParts.isEmpty()) {
      body.putObject("systemInstruction").set("parts", systemParts);
    }

    JsonNode tools = chat.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      body.putArray("tools").addObject().set("functionDeclarations", functionDeclarations(tools));
      ObjectNode toolConfig = toolConfig(chat.get("tool_choice"));
      if (toolConfig != null) {
        body.set("toolConfig", toolConfig);
      }
    }

    ObjectNode generation = generationConfig(chat, context);
    if (!generation.isEmpty()) {
      body.set("generationConfig", generation);
    }
    return body;
  }

  /** Gemini 1.x and 2.x accept function calls without thought signatures; later models do not. */
  private static boolean requiresThoughtSignatures(String model) {
    String id = model == null ? "" : model.toLowerCase(Locale.ROOT);
    return !(id.startsWith("gemini-1") || id.startsWith("gemini-2"));
  }

  /** Parameters this translation cannot honour are refused rather than silently dropped. */
  private static void refuseUnsupported(ObjectNode chat) {
    ChatRequestFields.refuseUnknown(chat, TRANSLATED, REFUSED, "Gemini");
    JsonNode n = chat.get("n");
    if (n != null && !n.isNull() && n.asInt(1) != 1) {
      refuse("n", "one choice per request is supported; 'n' must be 1");
    }
    if (chat.path("logprobs").asBoolean(false)) {
      refuse("logprobs", "log probabilities are not translated for Gemini");
    }
    refuseIfPresent(chat, "top_logprobs", "log probabilities are not translated for Gemini");
    JsonNode logitBias = chat.get("logit_bias");
    if (logitBias != null && !logitBias.isNull() && !logitBias.isEmpty()) {
      refuse("logit_bias", "Gemini does not support 'logit_bias'");
    }
    refuseIfPresent(chat, "audio", "audio output is not translated for Gemini");
    refuseIfPresent(chat, "prediction", "Gemini does not support predicted outputs");
    refuseIfPresent(chat, "functions", "use 'tools' instead of the deprecated 'functions'");
    refuseIfPresent(chat, "function_call", "use 'tool_choice' instead of 'function_call'");
    refuseIfPresent(chat, "reasoning_effort", "'reasoning_effort' has no Gemini equivalent here");
    refuseIfPresent(chat, "web_search_options", "Gemini grounding is not offered here");
  }

  private static void refuseIfPresent(ObjectNode chat, String param, String why) {
    JsonNode value = chat.get(param);
    if (value != null && !value.isNull()) {
      refuse(param, why);
    }
  }

  private static void refuse(String param, String why) {
    throw new UnsupportedRequestException(param, "Unsupported parameter '" + param + "': " + why);
  }

  // --- generation config ---

  private static ObjectNode generationConfig(ObjectNode chat, TranslationContext context) {
    ObjectNode config = JSON.objectNode();
    copyNumber(chat, "temperature", config, "temperature");
    copyNumber(chat, "top_p", config, "topP");
    copyNumber(chat, "presence_penalty", config, "presencePenalty");
    copyNumber(chat, "frequency_penalty", config, "frequencyPenalty");
    for (String param : List.of("max_completion_tokens", "max_tokens")) {
      JsonNode value = chat.get(param);
      if (value != null && !value.isNull()) {
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1) {
          throw new UnsupportedRequestException(
              param, "'" + param + "' must be a positive integer");
        }
        config.put("maxOutputTokens", value.asInt());
        break;
      }
    }
    JsonNode seed = chat.get("seed");
    if (seed != null && !seed.isNull()) {
      if (!seed.isIntegralNumber() || !seed.canConvertToInt()) {
        throw new UnsupportedRequestException("seed", "'seed' must be a 32-bit integer for Gemini");
      }
      config.put("seed", seed.asInt());
    }
    ArrayNode stop = stopSequences(chat.get("stop"));
    if (stop != null) {
      config.set("stopSequences", stop);
    }
    structuredOutput(chat.get("response_format"), context, config);
    return config;
  }

  private static void copyNumber(ObjectNode chat, String param, ObjectNode config, String field) {
    JsonNode value = chat.get(param);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isNumber()) {
      throw new UnsupportedRequestException(param, "'" + param + "' must be a number");
    }
    config.put(field, value.asDouble());
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

  /**
   * The context's schema (or else the request's {@code json_schema}) as {@code responseJsonSchema},
   * which takes full JSON Schema on Gemini 2.5+; {@code json_object} as the JSON MIME type alone.
   */
  private static void structuredOutput(
      JsonNode responseFormat, TranslationContext context, ObjectNode config) {
    boolean promptOnly = "prompt".equals(context.structuredOutput());
    JsonNode schema = context.outputSchema();
    if ((schema == null || schema.isNull()) && responseFormat != null) {
      JsonNode requested = responseFormat.at("/json_schema/schema");
      schema =
          responseFormat.path("type").asText().equals("json_schema") && requested.isObject()
              ? requested
              : null;
    }
    if (schema != null && !schema.isNull() && !promptOnly) {
      config.put("responseMimeType", "application/json");
      config.set("responseJsonSchema", schema);
    } else if (responseFormat != null
        && responseFormat.path("type").asText().equals("json_object")) {
      config.put("responseMimeType", "application/json");
    }
  }

  // --- messages ---

  private static void addMessage(
      JsonNode message,
      int index,
      ArrayNode systemParts,
      MergedTurns turns,
      Map<String, String> functionNamesByCallId,
      boolean needsSignatures) {
    String where = "messages[" + index + "]";
    if (!message.isObject() || !message.path("role").isTextual()) {
      throw new UnsupportedRequestException("messages", where + " must be an object with a 'role'");
    }
    String role = message.get("role").asText();
    switch (role) {
      case "system", "developer" -> systemParts.addAll(textParts(message.get("content"), where));
      case "user" -> turns.append("user", userParts(message.get("content"), where));
      case "assistant" ->
          turns.append("model", modelParts(message, where, functionNamesByCallId, needsSignatures));
      case "tool" ->
          turns.append("user", List.of(functionResponse(message, where, functionNamesByCallId)));
      default ->
          throw new UnsupportedRequestException(
              "messages", where + " has role '" + role + "', which Gemini cannot take");
    }
  }

  /** Text content (a string or text parts) as text parts, in a list callers may add to. */
  private static List<ObjectNode> textParts(JsonNode content, String where) {
    return MessageText.texts(content, where).stream()
        .map(text -> JSON.objectNode().put("text", text))
        .collect(Collectors.toCollection(ArrayList::new));
  }

  private static void addText(List<ObjectNode> parts, String text) {
    if (!text.isEmpty()) {
      parts.add(JSON.objectNode().put("text", text));
    }
  }

  private static List<ObjectNode> userParts(JsonNode content, String where) {
    if (content == null || !content.isArray()) {
      return textParts(content, where);
    }
    List<ObjectNode> parts = new ArrayList<>();
    for (JsonNode part : content) {
      String type = part.path("type").asText();
      switch (type) {
        case "text" -> addText(parts, part.path("text").asText());
        case "image_url" -> parts.add(media(part.path("image_url").path("url").asText(), where));
        case "input_audio" -> {
          String format = part.path("input_audio").path("format").asText("wav");
          ObjectNode inline = JSON.objectNode();
          inline
              .putObject("inlineData")
              .put("mimeType", "audio/" + format)
              .put("data", part.path("input_audio").path("data").asText());
          parts.add(inline);
        }
        case "file" -> parts.add(media(part.path("file").path("file_data").asText(""), where));
        default ->
            throw new UnsupportedRequestException(
                "messages", where + " has a '" + type + "' part, which Gemini cannot take");
      }
    }
    return parts;
  }

  /** A data URL becomes {@code inlineData}; a URL Gemini can fetch becomes {@code fileData}. */
  private static ObjectNode media(String url, String where) {
    ObjectNode part = JSON.objectNode();
    if (url.startsWith("data:")) {
      int comma = url.indexOf(',');
      int marker = url.indexOf(";base64");
      if (comma < 0 || marker < 0 || marker > comma) {
        throw new UnsupportedRequestException(
            "messages", where + " has a data URL that is not base64");
      }
      part.putObject("inlineData")
          .put("mimeType", url.substring(5, marker))
          .put("data", url.substring(comma + 1));
      return part;
    }
    if (url.startsWith("https://") || url.startsWith("http://") || url.startsWith("gs://")) {
      ObjectNode file = part.putObject("fileData");
      String mimeType = mimeTypeOf(url);
      if (mimeType != null) {
        file.put("mimeType", mimeType);
      }
      file.put("fileUri", url);
      return part;
    }
    throw new UnsupportedRequestException(
        "messages", where + " has media that is neither a data URL nor a URL");
  }

  private static String mimeTypeOf(String url) {
    String path = url.toLowerCase(Locale.ROOT);
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.endsWith(".png")) {
      return "image/png";
    } else if (path.endsWith(".jpg") || path.endsWith(".jpeg")) {
      return "image/jpeg";
    } else if (path.endsWith(".webp")) {
      return "image/webp";
    } else if (path.endsWith(".gif")) {
      return "image/gif";
    } else if (path.endsWith(".pdf")) {
      return "application/pdf";
    }
    return null;
  }

  private static List<ObjectNode> modelParts(
      JsonNode message,
      String where,
      Map<String, String> functionNamesByCallId,
      boolean needsSignatures) {
    List<ObjectNode> parts = textParts(message.get("content"), where);
    JsonNode toolCalls = message.get("tool_calls");
    if (toolCalls == null || toolCalls.isNull() || toolCalls.isEmpty()) {
      return parts;
    }
    boolean signed = false;
    ObjectNode firstCall = null;
    for (JsonNode call : toolCalls) {
      String id = call.path("id").asText("");
      String name = call.path("function").path("name").asText("");
      if (id.isEmpty() || name.isEmpty()) {
        throw new UnsupportedRequestException(
            "messages", where + " has a tool call without an 'id' or 'function.name'");
      }
      functionNamesByCallId.put(id, name);
      ObjectNode part = JSON.objectNode();
      ObjectNode functionCall = part.putObject("functionCall");
      functionCall.put("name", name);
      functionCall.set(
          "args", ToolCallArguments.asObject(call.path("function").get("arguments"), where, id));
      // Google's OpenAI-compatible API returns the signature here; clients send it back as is.
      String signature = call.at("/extra_content/google/thought_signature").asText("");
      if (!signature.isEmpty()) {
        part.put("thoughtSignature", signature);
        signed = true;
      }
      if (firstCall == null) {
        firstCall = part;
      }
      parts.add(part);
    }
    if (needsSignatures && !signed) {
      firstCall.put("thoughtSignature", SKIP_THOUGHT_SIGNATURE);
    }
    return parts;
  }

  /**
   * Gemini matches a function response to its call by function name, which OpenAI's tool message
   * lacks: it is recovered from the assistant message that made the call with this id.
   */
  private static ObjectNode functionResponse(
      JsonNode message, String where, Map<String, String> functionNamesByCallId) {
    String id = message.path("tool_call_id").asText("");
    if (id.isEmpty()) {
      throw new UnsupportedRequestException(
          "messages", where + " is a tool message without 'tool_call_id'");
    }
    String name = functionNamesByCallId.get(id);
    if (name == null) {
      throw new UnsupportedRequestException(
          "messages",
          where + " answers tool call '" + id + "', which no earlier assistant message made");
    }
    StringBuilder text = new StringBuilder();
    for (ObjectNode part : textParts(message.get("content"), where)) {
      text.append(part.get("text").asText());
    }
    ObjectNode part = JSON.objectNode();
    ObjectNode response = part.putObject("functionResponse");
    response.put("name", name);
    response.set("response", responseObject(text.toString()));
    return part;
  }

  /** Gemini wants an object: a JSON object result is sent as is, anything else under "result". */
  private static ObjectNode responseObject(String text) {
    try {
      JsonNode parsed = MAPPER.readTree(text);
      if (parsed != null && parsed.isObject()) {
        return (ObjectNode) parsed;
      }
    } catch (JsonProcessingException e) {
      // plain text
    }
    return JSON.objectNode().put("result", text);
  }

  // --- tools ---

  private static ArrayNode functionDeclarations(JsonNode tools) {
    ArrayNode declarations = JSON.arrayNode();
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
      ObjectNode declaration = declarations.addObject();
      declaration.put("name", name);
      if (function.hasNonNull("description")) {
        declaration.put("description", function.get("description").asText());
      }
      JsonNode parameters = function.get("parameters");
      if (parameters != null && !parameters.isNull()) {
        // Full JSON Schema, unlike the OpenAPI subset of "parameters".
        declaration.set("parametersJsonSchema", parameters);
      }
    }
    return declarations;
  }

  private static ObjectNode toolConfig(JsonNode choice) {
    if (choice == null || choice.isNull()) {
      return null;
    }
    ObjectNode config = JSON.objectNode();
    ObjectNode calling = config.putObject("functionCallingConfig");
    if (choice.isTextual()) {
      switch (choice.asText()) {
        case "auto" -> calling.put("mode", "AUTO");
        case "required" -> calling.put("mode", "ANY");
        case "none" -> calling.put("mode", "NONE");
        default ->
            throw new UnsupportedRequestException(
                "tool_choice", "'tool_choice' must be auto, required, none or a function");
      }
    } else if (choice.path("function").hasNonNull("name")) {
      calling.put("mode", "ANY");
      calling.putArray("allowedFunctionNames").add(choice.get("function").get("name").asText());
    } else {
      throw new UnsupportedRequestException(
          "tool_choice", "'tool_choice' must be auto, required, none or a function");
    }
    return config;
  }
}
