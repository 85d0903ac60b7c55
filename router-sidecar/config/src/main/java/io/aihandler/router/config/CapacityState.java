package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Whether an in-cluster backend can take a request now. The operator writes it from the backend's
 * ready replicas; the sidecar also learns {@link #READY} by probing the backend while it holds
 * requests for it, whichever comes first.
 */
public enum CapacityState {
  /** At least one replica is ready. */
  @JsonProperty("ready")
  READY,
  /** Scaled to zero by design; an activation brings a replica up. */
  @JsonProperty("scaled-to-zero")
  SCALED_TO_ZERO,
  /**
   * Replicas are wanted but none is ready: loading weights, a preempted node, a crash loop, or a
   * rollout with none ready yet.
   */
  @JsonProperty("starting")
  STARTING
}
