package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A backend's embeddings: which vectors it returns. Two backends whose vectors share a space and a
 * length are interchangeable for an index; the router falls back only between such backends, so one
 * index never mixes vectors of two models.
 *
 * @param dimensions length of the vectors the model returns when a request sets no {@code
 *     dimensions}
 * @param vectorSpace names the model the vectors come from, so the same model behind two providers
 *     (OpenAI and an Azure deployment of it, say) counts as one space; default: the backend's model
 * @param maxInputs inputs the provider takes in one call (OpenAI 2048, Gemini's batch 100); larger
 *     batches are refused before they are sent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmbeddingCapability(Integer dimensions, String vectorSpace, Integer maxInputs) {}
