package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Looks for sensitive data in a request's text.
 *
 * @param type what to look for
 * @param pattern for type regex: the regular expression (Java syntax)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Detector(DetectorType type, String pattern) {}
