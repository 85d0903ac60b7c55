package io.aihandler.router.routing;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.runtime.BackendHealth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Orders a route's targets for one request by the route's strategy. The first target serves the
 * request; the others are its fallbacks, in order. Ties always fall back to priority, then to
 * document order, so the order is predictable.
 */
public final class TargetOrdering {

  private static final Comparator<RouteTarget> BY_PRIORITY =
      Comparator.comparingInt(RouteTarget::priority);

  private TargetOrdering() {}

  /**
   * @param backendOf the backend config of a target's name
   */
  public static List<RouteTarget> order(
      Route route,
      java.util.function.Function<String, Backend> backendOf,
      BackendHealth health,
      RandomGenerator random) {
    List<RouteTarget> targets = new ArrayList<>(route.targets());
    switch (route.strategy()) {
      case FAILOVER -> targets.sort(BY_PRIORITY);
      case LEAST_LATENCY ->
          targets.sort(
              Comparator.comparingDouble((RouteTarget t) -> health.latency(t.backend()))
                  .thenComparing(BY_PRIORITY));
      case LOWEST_COST ->
          targets.sort(
              Comparator.comparingDouble(
                      (ToDoubleFunction<RouteTarget>) t -> pricePerMillion(backendOf.apply(t.backend())))
                  .thenComparing(BY_PRIORITY));
      case WEIGHTED -> {
        targets.sort(BY_PRIORITY);
        RouteTarget first = drawByWeight(targets, random);
        if (first != null) {
          targets.remove(first);
          targets.addFirst(first);
        }
      }
    }
    return targets;
  }

  /** Input plus output price per million tokens; unpriced backends sort last. */
  static double pricePerMillion(Backend b) {
    if (b == null
        || b.pricing() == null
        || (b.pricing().inputPerMillionTokens() == null
            && b.pricing().outputPerMillionTokens() == null)) {
      return Double.MAX_VALUE;
    }
    double in = b.pricing().inputPerMillionTokens() == null ? 0 : b.pricing().inputPerMillionTokens();
    double out =
        b.pricing().outputPerMillionTokens() == null ? 0 : b.pricing().outputPerMillionTokens();
    return in + out;
  }

  private static RouteTarget drawByWeight(List<RouteTarget> targets, RandomGenerator random) {
    int total = targets.stream().mapToInt(RouteTarget::weight).sum();
    if (total <= 0) {
      return null;
    }
    int pick = random.nextInt(total);
    for (RouteTarget t : targets) {
      pick -= t.weight();
      if (pick < 0) {
        return t;
      }
    }
    return null;
  }
}
