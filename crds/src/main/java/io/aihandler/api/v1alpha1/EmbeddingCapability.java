package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * The vectors a backend returns on {@code /v1/embeddings}. Two backends with the same vector space
 * and dimensions are interchangeable for an index; routers fall back only between such backends.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmbeddingCapability(
    @JsonPropertyDescription(
            "Length of the vectors the model returns when a request sets no dimensions, e.g. 1024"
                + " for BAAI/bge-m3 or 1536 for text-embedding-3-small. Required: neither vLLM nor"
                + " the providers announce it, and routers check every vector's length against it.")
        @Required
        @Min(1)
        @Max(65536)
        Integer dimensions,
    @JsonPropertyDescription(
            "Names the model the vectors come from, so the same model behind two backends (an"
                + " OpenAI and an Azure deployment of it, say) counts as one space. Backends with"
                + " the same vectorSpace and dimensions may serve the same index and fall back to"
                + " each other. Default: the Hugging Face repository of a vllm backend's weights"
                + " (e.g. BAAI/bge-m3; the model URI for pvc:// and s3://), the model of a hosted"
                + " one.")
        @Size(min = 1, max = 253)
        String vectorSpace,
    @JsonPropertyDescription(
            "Most inputs the backend takes in one call (OpenAI: 2048). Larger batches are refused"
                + " before they are sent. Default: no limit of its own.")
        @Min(1)
        @Max(100000)
        Integer maxInputs) {}
