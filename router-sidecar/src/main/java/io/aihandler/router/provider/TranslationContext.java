package io.aihandler.router.provider;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a translator needs besides the request itself.
 *
 * @param model the provider's model id (or vLLM's served model name), replacing the request's
 *     {@code model}, which names a task, route or backend of the sidecar
 * @param responseModel the {@code model} value the application sees in responses
 * @param responseId the {@code id} of the OpenAI response object ({@code chatcmpl-...})
 * @param createdEpochSeconds the {@code created} field of the response
 * @param outputSchema JSON Schema the answer must match, or null; asked for natively per {@link
 *     #structuredOutput()}
 * @param schemaName name of the schema for providers that want one (OpenAI {@code
 *     json_schema.name}, Anthropic's forced tool)
 * @param structuredOutput how to ask for the schema: {@code native}, {@code guided} (vLLM) or
 *     {@code prompt} (instructions only)
 * @param defaultMaxTokens used when the request sets none and the provider requires it (Anthropic)
 * @param includeUsage whether the client asked for {@code stream_options.include_usage}
 */
public record TranslationContext(
    String model,
    String responseModel,
    String responseId,
    long createdEpochSeconds,
    JsonNode outputSchema,
    String schemaName,
    String structuredOutput,
    int defaultMaxTokens,
    boolean includeUsage) {}
