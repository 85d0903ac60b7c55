package io.aihandler.router.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.anthropic.AnthropicTranslator.StructuredOutputMode;

/**
 * How one request asks Claude for the context's output schema. The request and the response side
 * derive the answer tool from the context alone, so they always agree on which {@code tool_use}
 * block is the answer rather than a tool call.
 *
 * @param mode the native mechanism, or null when no schema is asked for natively
 * @param toolName the forced tool's name when {@code mode} is {@link
 *     StructuredOutputMode#FORCED_TOOL}, else null
 * @param schema the JSON Schema
 */
record StructuredOutputPlan(StructuredOutputMode mode, String toolName, JsonNode schema) {

  static final String DEFAULT_TOOL_NAME = "structured_output";
  private static final int MAX_TOOL_NAME_LENGTH = 64;

  static final StructuredOutputPlan NONE = new StructuredOutputPlan(null, null, null);

  /**
   * The name of the forced answer tool, or null when a response cannot contain one: only a context
   * schema asked for natively, with an object at its root (a tool's {@code input_schema} must be an
   * object), can be carried by a tool.
   */
  static String answerToolName(TranslationContext context, StructuredOutputMode preferred) {
    JsonNode schema = nativeSchema(context);
    if (schema == null
        || preferred != StructuredOutputMode.FORCED_TOOL
        || !isObjectSchema(schema)) {
      return null;
    }
    return toolName(context.schemaName());
  }

  /**
   * The plan for a request. A forced tool would stop Claude from calling the application's own
   * tools, so a request that brings tools gets {@code output_config.format} instead.
   */
  static StructuredOutputPlan forRequest(
      TranslationContext context,
      JsonNode responseFormat,
      boolean requestHasTools,
      StructuredOutputMode preferred) {
    JsonNode schema = nativeSchema(context);
    if (schema == null) {
      // A schema only the request names is asked for as output_config: its answer is plain text,
      // so the response side needs no knowledge of it.
      JsonNode requested = responseFormat == null ? null : responseFormat.at("/json_schema/schema");
      boolean asked =
          responseFormat != null
              && responseFormat.path("type").asText().equals("json_schema")
              && requested.isObject()
              && !"prompt".equals(context.structuredOutput());
      return asked
          ? new StructuredOutputPlan(StructuredOutputMode.OUTPUT_FORMAT, null, requested)
          : NONE;
    }
    String answerTool = answerToolName(context, preferred);
    if (answerTool != null && !requestHasTools) {
      return new StructuredOutputPlan(StructuredOutputMode.FORCED_TOOL, answerTool, schema);
    }
    return new StructuredOutputPlan(StructuredOutputMode.OUTPUT_FORMAT, null, schema);
  }

  private static JsonNode nativeSchema(TranslationContext context) {
    JsonNode schema = context.outputSchema();
    if (schema == null || schema.isNull() || "prompt".equals(context.structuredOutput())) {
      return null;
    }
    return schema;
  }

  private static boolean isObjectSchema(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return schema.has("properties");
    }
    return type.isTextual() && type.asText().equals("object");
  }

  /** Anthropic tool names match {@code ^[a-zA-Z0-9_-]{1,64}$}. */
  private static String toolName(String schemaName) {
    if (schemaName == null || schemaName.isBlank()) {
      return DEFAULT_TOOL_NAME;
    }
    String name = schemaName.replaceAll("[^a-zA-Z0-9_-]", "_");
    return name.length() > MAX_TOOL_NAME_LENGTH ? name.substring(0, MAX_TOOL_NAME_LENGTH) : name;
  }
}
