package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Prompt templates; {@code {{name}}} is replaced by the call's variable {@code name}.
 *
 * @param system system prompt template
 * @param user user message template
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Prompt(String system, String user) {}
