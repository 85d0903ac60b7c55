package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** What a backend's model can do; the router uses it to pick backends and request modes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.chat) || self.chat || has(self.embeddings)",
    message =
        "capabilities.chat: false needs capabilities.embeddings: a backend that serves no chat must"
            + " serve embeddings")
public record Capabilities(
    @JsonPropertyDescription(
            "Context window in tokens (prompt plus completion). Requests that cannot fit are not"
                + " sent to this backend.")
        @Min(1)
        @Max(100000000)
        Integer contextWindow,
    @JsonPropertyDescription(
            "How to ask for schema-conforming output: native (the provider's structured output),"
                + " guided (vLLM guided decoding) or prompt (instructions only). Output is"
                + " validated against the schema in every mode. Default: guided for vLLM, native"
                + " for hosted providers.")
        StructuredOutputMode structuredOutput,
    @JsonPropertyDescription("Whether the model supports tool (function) calling. Default: true.")
        Boolean tools,
    @JsonPropertyDescription(
            "Whether the model generates text (chat completions and responses). false for an"
                + " embedding-only model, which then needs embeddings. A vllm backend that declares"
                + " embeddings must set false: vLLM runs an embedding model with its pooling runner,"
                + " which serves no chat.")
        @Default("true")
        Boolean chat,
    @JsonPropertyDescription(
            "The vectors the backend serves on /v1/embeddings. Unset: it serves none. On a vllm"
                + " backend this also makes the operator run vLLM's pooling runner.")
        EmbeddingCapability embeddings) {}
