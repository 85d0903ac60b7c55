package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A template variable of a task.
 *
 * @param name name used in templates as {@code {{name}}}
 * @param required whether every call must supply it; default true
 * @param description what it holds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskVariable(String name, Boolean required, String description) {

  public TaskVariable {
    required = required == null || required;
  }
}
