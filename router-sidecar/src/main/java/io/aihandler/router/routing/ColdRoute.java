package io.aihandler.router.routing;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.CapacityState;
import io.aihandler.router.runtime.BackendRuntime;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a request does about a target with no ready replica. Pure: the targets are the request's
 * own, already narrowed to those its data classes allow, so a spill-over can only ever reach an
 * allowed target and a request with no other allowed target is held.
 *
 * <ul>
 *   <li>a ready target is tried as usual;
 *   <li>a cold one is skipped for the next later ready target when the route spills over ({@link
 *       Spill});
 *   <li>otherwise (no spill-over, or no later target is ready: restricted data with one in-cluster
 *       backend, say) the request is held for it ({@link Hold}).
 * </ul>
 */
final class ColdRoute {

  private ColdRoute() {}

  /** The decision for one target. */
  sealed interface Step permits Proceed, Spill, Hold {}

  /** The target is ready: try it. */
  record Proceed() implements Step {}

  /**
   * Skip the cold target for the one at {@code to}.
   *
   * @param from the cold target's state
   */
  record Spill(int to, CapacityState from) implements Step {}

  /** Hold the request until the target is ready; {@code state} is its state now. */
  record Hold(CapacityState state) implements Step {}

  static final Proceed PROCEED = new Proceed();

  /**
   * @param order the request's targets, in order
   * @param index the target about to be tried
   * @param state each backend's capacity state now
   * @param spillOver the route's {@code spillOver}
   */
  static Step step(
      List<BackendRuntime> order,
      int index,
      Function<Backend, CapacityState> state,
      boolean spillOver) {
    CapacityState now = state.apply(order.get(index).config());
    if (now == CapacityState.READY) {
      return PROCEED;
    }
    if (spillOver) {
      for (int i = index + 1; i < order.size(); i++) {
        if (state.apply(order.get(i).config()) == CapacityState.READY) {
          return new Spill(i, now);
        }
      }
    }
    return new Hold(now);
  }

  /** The {@code reason} label of a spill-over from a target in this state. */
  static String reason(CapacityState from) {
    return from.name().toLowerCase(Locale.ROOT);
  }

  /** The state's name as the config spells it, for messages. */
  static String stateName(CapacityState s) {
    return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
