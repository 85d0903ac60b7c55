package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which side one answer of the advice scores toward. */
public enum AdviceLean {
  /** Toward self-hosted (open-weights) models. */
  @JsonProperty("open")
  OPEN,
  /** Toward hosted (closed) models. */
  @JsonProperty("closed")
  CLOSED,
  /** Toward neither: the evidence does not decide this question. */
  @JsonProperty("neutral")
  NEUTRAL
}
