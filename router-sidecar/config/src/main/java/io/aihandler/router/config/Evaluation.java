package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Shadow evaluation of a task (Workflow {@code spec.tasks[].evaluate}): after the client has its
 * answer, a sample of the task's requests is sent again to each candidate and the answers judged
 * like real ones.
 *
 * @param candidates backends to evaluate, each with its sample rate
 * @param dailyCostCap most US dollars all of this task's shadow calls may spend per UTC day in one
 *     sidecar; null means no cap
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evaluation(List<EvaluationCandidate> candidates, Double dailyCostCap) {

  public Evaluation {
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
  }
}
