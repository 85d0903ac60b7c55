package io.aihandler.router.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.provider.EmbeddingTranslator;
import io.aihandler.router.provider.ProviderTranslator;
import io.aihandler.router.provider.StreamTranslator;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.provider.UpstreamError;
import io.aihandler.router.provider.UpstreamRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Speaks OpenAI chat completions to OpenAI, Azure OpenAI, vLLM and any OpenAI-compatible server.
 * The wire format is the sidecar's own, so translation is mostly renaming the model and asking for
 * structured output the way the backend understands.
 */
public final class OpenAiTranslator implements ProviderTranslator {

  /** The dialects of chat completions this translator speaks. */
  public enum Flavor {
    /** api.openai.com: bearer key, {@code response_format} json_schema. */
    OPENAI,
    /** vLLM: bearer key if any, guided decoding through {@code structured_outputs}. */
    VLLM,
    /** Azure OpenAI: {@code api-key} header, deployment in the path, {@code api-version}. */
    AZURE,
    /** Other OpenAI-compatible servers. */
    COMPATIBLE
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * The path of one operation ({@code chat/completions}, {@code embeddings}) under the base URL:
   * Azure names the deployment in the path and needs its {@code api-version}; every other flavor
   * serves the operation at the base URL.
   */
  static String operationPath(Flavor flavor, String model, String apiVersion, String operation) {
    if (flavor != Flavor.AZURE) {
      return "/" + operation;
    }
    return "/openai/deployments/"
        + URLEncoder.encode(model, StandardCharsets.UTF_8)
        + "/"
        + operation
        + "?api-version="
        + URLEncoder.encode(apiVersion == null ? "" : apiVersion, StandardCharsets.UTF_8);
  }

  private final Flavor flavor;
  private final String apiVersion;
  private final OpenAiEmbeddings embeddings;

  /** A translator for OpenAI itself. */
  public OpenAiTranslator() {
    this(Flavor.OPENAI, null);
  }

  /**
   * @param flavor the dialect
   * @param apiVersion Azure's {@code api-version}; ignored by the other flavors
   */
  public OpenAiTranslator(Flavor flavor, String apiVersion) {
    this.flavor = flavor;
    this.apiVersion = apiVersion;
    this.embeddings = new OpenAiEmbeddings(flavor, apiVersion);
  }

  @Override
  public UpstreamRequest toUpstream(ObjectNode chatRequest, TranslationContext context) {
    // Only top-level fields change (messages too, in "prompt" mode: see askForSchema), so a copy
    // of the top level keeps the caller's request intact without copying every message.
    ObjectNode body = JSON.objectNode().setAll(chatRequest);
    body.put("model", context.model());
    boolean streaming = body.path("stream").asBoolean(false);
    if (streaming) {
      // Usage is always requested upstream so tokens and cost are metered; the stream translator
      // hands the usage chunk on only when the client asked for it.
      ObjectNode options = body.putObject("stream_options");
      options.put("include_usage", true);
    } else {
      body.remove("stream_options");
    }
    if (context.outputSchema() != null) {
      askForSchema(body, context);
    }
    String path = operationPath(flavor, context.model(), apiVersion, "chat/completions");
    if (flavor == Flavor.AZURE) {
      body.remove("model");
    }
    return new UpstreamRequest(
        path,
        Map.of(
            "content-type",
            "application/json",
            "accept",
            streaming ? "text/event-stream" : "application/json"),
        body,
        streaming);
  }

  private void askForSchema(ObjectNode body, TranslationContext context) {
    String mode = context.structuredOutput() == null ? "native" : context.structuredOutput();
    switch (mode) {
      case "guided" -> {
        body.remove("response_format");
        body.putObject("structured_outputs").set("json", context.outputSchema());
      }
      case "prompt" -> {
        body.remove("response_format");
        ArrayNode messages = JSON.arrayNode().addAll((ArrayNode) body.withArray("messages"));
        body.set("messages", messages);
        ObjectNode instruction = JSON.objectNode();
        instruction.put("role", "system");
        instruction.put(
            "content",
            "Answer with one JSON value only, no prose and no code fences, matching this JSON"
                + " Schema:\n"
                + context.outputSchema());
        messages.insert(0, instruction);
      }
      default -> {
        ObjectNode format = body.putObject("response_format");
        format.put("type", "json_schema");
        ObjectNode js = format.putObject("json_schema");
        js.put("name", context.schemaName() == null ? "output" : context.schemaName());
        js.set("schema", context.outputSchema());
        // strict mode refuses many ordinary schemas (optional properties, formats); the sidecar
        // validates the answer itself, so the provider's best effort is enough.
        js.put("strict", false);
      }
    }
  }

  @Override
  public ObjectNode toChatCompletion(JsonNode upstreamBody, TranslationContext context) {
    if (!upstreamBody.isObject() || !upstreamBody.path("choices").isArray()) {
      throw new IllegalArgumentException("the upstream answer is not a chat completion");
    }
    // The body was parsed for this call alone: rewritten in place rather than copied.
    ObjectNode out = (ObjectNode) upstreamBody;
    out.put("id", context.responseId());
    out.put("object", "chat.completion");
    out.put("created", context.createdEpochSeconds());
    out.put("model", context.responseModel());
    return out;
  }

  @Override
  public StreamTranslator newStream(TranslationContext context) {
    return new OpenAiStreamTranslator(context);
  }

  @Override
  public UpstreamError toError(int status, String body, Map<String, String> headers) {
    return OpenAiErrors.toError(status, body, headers);
  }

  @Override
  public EmbeddingTranslator embeddings() {
    return embeddings;
  }

  @Override
  public Map<String, String> authHeaders(String apiKey) {
    if (apiKey == null || apiKey.isEmpty()) {
      return Map.of();
    }
    return flavor == Flavor.AZURE
        ? Map.of("api-key", apiKey)
        : Map.of("authorization", "Bearer " + apiKey);
  }
}
