package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Limits one sidecar keeps towards one backend; a backend at its limit is skipped as unavailable.
 *
 * @param requestsPerMinute most requests per minute
 * @param tokensPerMinute most tokens per minute: each request is charged its estimated input plus
 *     its maximum output tokens, corrected with the usage the provider reports
 * @param maxConcurrency most requests in flight at once
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Limits(Integer requestsPerMinute, Integer tokensPerMinute, Integer maxConcurrency) {}
