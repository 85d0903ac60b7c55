package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The capacity of an operator-managed in-cluster backend. A backend without one (hosted, or a
 * hand-written standalone config) is always taken as ready.
 *
 * @param state ready, scaled to zero or starting
 * @param modelBackend the ModelBackend behind it as {@code namespace/name}: what an activation
 *     names
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Capacity(CapacityState state, String modelBackend) {

  public Capacity {
    state = state == null ? CapacityState.READY : state;
  }

  /** Whether a request can be sent to the backend now. */
  public boolean ready() {
    return state == CapacityState.READY;
  }
}
