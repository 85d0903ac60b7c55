package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Structured output of a task.
 *
 * @param schema JSON Schema (draft 2020-12) every answer must match
 * @param maxRepairAttempts re-asks of the same backend quoting the validation errors before moving
 *     on; default 1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskOutput(JsonNode schema, Integer maxRepairAttempts) {

  public TaskOutput {
    maxRepairAttempts = maxRepairAttempts == null ? 1 : maxRepairAttempts;
  }
}
