package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * One LLM task of the application (Workflow {@code spec.tasks[]}).
 *
 * @param name task name; apps call {@code POST /v1/tasks/<name>} or set {@code model: <name>}
 * @param route route that serves the task
 * @param dataClass data class of everything the task sends; detectors and the request header may
 *     add stricter classes, never looser ones
 * @param prompt prompt templates with {@code {{variable}}} placeholders
 * @param variables variables the templates use
 * @param output the JSON Schema answers must match
 * @param parameters sampling parameters
 * @param timeout timeout of a whole call; default the route's
 * @param evaluate shadow evaluation of candidate backends; null means none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Task(
    String name,
    String route,
    String dataClass,
    Prompt prompt,
    List<TaskVariable> variables,
    TaskOutput output,
    TaskParameters parameters,
    String timeout,
    Evaluation evaluate) {

  public Task {
    variables = variables == null ? List.of() : List.copyOf(variables);
  }

  /** The task's timeout, or null to use the route's. */
  public Duration timeoutDuration() {
    return timeout == null ? null : Durations.parse(timeout);
  }
}
