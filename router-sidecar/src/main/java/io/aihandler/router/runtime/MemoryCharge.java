package io.aihandler.router.runtime;

/**
 * Where a request charges the heap its buffers take, so many large answers at once cannot outgrow
 * the sidecar's memory budget together. A charge that does not fit throws the request's 503 {@code
 * overloaded}; what was charged is given back when the request has been answered.
 */
@FunctionalInterface
public interface MemoryCharge {

  /** Charges nothing: for calls outside a served request (tests, tools). */
  MemoryCharge NONE = bytes -> {};

  /** Reserves {@code bytes} more for the request, or throws when the budget has no room. */
  void charge(long bytes);
}
