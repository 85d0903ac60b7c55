package io.aihandler.router.provider;

/**
 * The vectors of one upstream answer, as the provider sent them.
 *
 * @param indices the input each vector belongs to, in the order the vectors came
 * @param vectors the vectors, {@code vectors[i]} for input {@code indices[i]}
 * @param promptTokens the tokens the provider counted, or null when it reports none
 */
public record EmbeddingResult(int[] indices, float[][] vectors, Long promptTokens) {}
