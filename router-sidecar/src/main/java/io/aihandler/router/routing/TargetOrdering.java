package io.aihandler.router.routing;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.runtime.BackendHealth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Orders a route's targets for one request by the route's strategy. The first target serves the
 * request; the others are its fallbacks, in order. Ties always fall back to priority, then to
 * document order, so the order is predictable.
 *
 * <p>Targets the request may not reach are withheld before any strategy runs: they can never come
 * back as a first pick or a fallback, and a weighted draw spreads over the allowed targets only.
 */
public final class TargetOrdering {

  private static final Comparator<RouteTarget> BY_PRIORITY =
      Comparator.comparingInt(RouteTarget::priority);

  private TargetOrdering() {}

  /**
   * The result of ordering: the targets to try, in order, and those withheld.
   *
   * @param eligible targets the request may reach, first pick first
   * @param withheld targets the admission rule refused (or whose backend is unknown), in document
   *     order
   */
  public record Ordered(List<RouteTarget> eligible, List<RouteTarget> withheld) {}

  /**
   * @param backendOf the backend config of a target's name (null when there is none)
   * @param admitted whether the request may reach a backend (its data classes' localities)
   */
  public static Ordered order(
      Route route,
      Function<String, Backend> backendOf,
      Predicate<Backend> admitted,
      BackendHealth health,
      RandomGenerator random) {
    List<RouteTarget> targets = new ArrayList<>(route.targets().size());
    List<RouteTarget> withheld = new ArrayList<>();
    for (RouteTarget t : route.targets()) {
      Backend b = backendOf.apply(t.backend());
      if (b != null && admitted.test(b)) {
        targets.add(t);
      } else {
        withheld.add(t);
      }
    }
    switch (route.strategy()) {
      case FAILOVER -> targets.sort(BY_PRIORITY);
      case LEAST_LATENCY ->
          targets.sort(
              Comparator.comparingDouble((RouteTarget t) -> health.latency(t.backend()))
                  .thenComparing(BY_PRIORITY));
      case LOWEST_COST ->
          targets.sort(
              Comparator.comparingDouble(
                      (RouteTarget t) -> pricePerMillion(backendOf.apply(t.backend())))
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
    return new Ordered(List.copyOf(targets), List.copyOf(withheld));
  }

  /** Input plus output price per million tokens; unpriced backends sort last. */
  static double pricePerMillion(Backend b) {
    if (b == null
        || b.pricing() == null
        || (b.pricing().inputPerMillionTokens() == null
            && b.pricing().outputPerMillionTokens() == null)) {
      return Double.MAX_VALUE;
    }
    double in =
        b.pricing().inputPerMillionTokens() == null ? 0 : b.pricing().inputPerMillionTokens();
    double out =
        b.pricing().outputPerMillionTokens() == null ? 0 : b.pricing().outputPerMillionTokens();
    return in + out;
  }

  /** A target drawn with probability weight/total; null when every weight is 0. */
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
