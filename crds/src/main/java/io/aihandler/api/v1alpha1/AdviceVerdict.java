package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where the observed evidence points a task: a self-hosted model, a hosted one, or neither yet. */
public enum AdviceVerdict {
  /** Self-hosted (open-weights) models: the data must stay, or three answers lean open. */
  @JsonProperty("open")
  OPEN,
  /** Hosted (closed) models: three or more answers lean closed. */
  @JsonProperty("closed")
  CLOSED,
  /**
   * No side has three answers: stay on the hosted model behind the abstraction, keep evaluating.
   */
  @JsonProperty("mixed")
  MIXED
}
