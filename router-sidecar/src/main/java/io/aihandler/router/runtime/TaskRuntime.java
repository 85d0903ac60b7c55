package io.aihandler.router.runtime;

import io.aihandler.router.config.Task;
import io.aihandler.router.validation.OutputValidator;

/**
 * A task with its compiled output schema.
 *
 * @param validator null when the task has no output schema
 */
public record TaskRuntime(Task config, OutputValidator validator) {}
