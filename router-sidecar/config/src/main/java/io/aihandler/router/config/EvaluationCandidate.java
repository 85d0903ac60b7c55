package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One backend a task is evaluated on.
 *
 * @param backend name of a backend of this document
 * @param sampleRate share of the task's requests mirrored to it, 0 to 1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationCandidate(String backend, Double sampleRate) {}
