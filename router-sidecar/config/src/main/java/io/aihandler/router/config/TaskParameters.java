package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Sampling parameters a task's requests get unless the request sets them.
 *
 * @param temperature 0 to 2
 * @param maxTokens most output tokens
 * @param topP nucleus sampling, 0 to 1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskParameters(Double temperature, Integer maxTokens, Double topP) {}
