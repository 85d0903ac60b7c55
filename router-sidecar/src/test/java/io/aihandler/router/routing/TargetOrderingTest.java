package io.aihandler.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.Locality;
import io.aihandler.router.config.Pricing;
import io.aihandler.router.config.Provider;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.config.RoutingStrategy;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.runtime.BackendHealth;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The four strategies' orders, and that no strategy brings back a target the request may not reach.
 */
class TargetOrderingTest {

  private final Map<String, Backend> backends = new LinkedHashMap<>();
  private final BackendHealth health = new BackendHealth(new RouterMetrics());

  private void backend(String name, Locality locality, Double inPrice, Double outPrice) {
    Pricing pricing =
        inPrice == null && outPrice == null ? null : new Pricing(inPrice, outPrice, null);
    backends.put(
        name,
        new Backend(
            name,
            Provider.OPENAI_COMPATIBLE,
            "http://127.0.0.1:1/v1",
            "m",
            null,
            locality,
            pricing,
            null,
            null,
            null,
            null,
            null));
  }

  private static Route route(RoutingStrategy strategy, RouteTarget... targets) {
    return new Route(
        "r",
        List.of(targets),
        strategy,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static RouteTarget target(String backend, int weight, int priority) {
    return new RouteTarget(backend, weight, priority);
  }

  private List<String> order(Route route, Predicate<Backend> admitted, long seed) {
    return names(
        TargetOrdering.order(route, backends::get, admitted, health, new SplittableRandom(seed))
            .eligible());
  }

  private List<String> order(Route route) {
    return order(route, b -> true, 1);
  }

  private static List<String> names(List<RouteTarget> targets) {
    return targets.stream().map(RouteTarget::backend).toList();
  }

  @Test
  void failoverOrdersByPriorityAndKeepsDocumentOrderOnTies() {
    for (String n : List.of("a", "b", "c", "d")) {
      backend(n, Locality.IN_CLUSTER, null, null);
    }
    Route r =
        route(
            RoutingStrategy.FAILOVER,
            target("a", 1, 2),
            target("b", 1, 0),
            target("c", 1, 1),
            target("d", 1, 0));

    assertThat(order(r)).containsExactly("b", "d", "c", "a");
  }

  @Test
  void weightedDrawsTheFirstTargetInProportionToWeightAndUsesWeightZeroOnlyAsFallback() {
    for (String n : List.of("heavy", "light", "spare")) {
      backend(n, Locality.IN_CLUSTER, null, null);
    }
    Route r =
        route(
            RoutingStrategy.WEIGHTED,
            target("heavy", 3, 1),
            target("light", 1, 2),
            target("spare", 0, 0));
    SplittableRandom random = new SplittableRandom(20240601L);
    Map<String, Integer> firsts = new HashMap<>();
    int draws = 20_000;
    for (int i = 0; i < draws; i++) {
      List<String> o =
          names(TargetOrdering.order(r, backends::get, b -> true, health, random).eligible());
      firsts.merge(o.getFirst(), 1, Integer::sum);
      assertThat(o)
          .as("every target stays as a fallback")
          .containsExactlyInAnyOrder("heavy", "light", "spare");
      // The fallbacks after the drawn one follow priority.
      List<String> rest = o.subList(1, 3);
      assertThat(rest)
          .isSortedAccordingTo(
              (x, y) ->
                  Integer.compare(
                      List.of("spare", "heavy", "light").indexOf(x),
                      List.of("spare", "heavy", "light").indexOf(y)));
    }
    assertThat(firsts.getOrDefault("spare", 0)).as("weight 0 is never a first pick").isZero();
    assertThat(firsts.get("heavy") / (double) draws).isCloseTo(0.75, within(0.02));
    assertThat(firsts.get("light") / (double) draws).isCloseTo(0.25, within(0.02));
  }

  @Test
  void weightedWithAllWeightsZeroFallsBackToPriority() {
    backend("a", Locality.IN_CLUSTER, null, null);
    backend("b", Locality.IN_CLUSTER, null, null);
    Route r = route(RoutingStrategy.WEIGHTED, target("a", 0, 5), target("b", 0, 1));

    for (long seed = 0; seed < 50; seed++) {
      assertThat(order(r, b -> true, seed)).containsExactly("b", "a");
    }
  }

  @Test
  void weightedSpreadsOverTheAllowedTargetsOnlyWhenTheHeaviestIsForbidden() {
    backend("cloud", Locality.EXTERNAL, null, null);
    backend("gpu-a", Locality.IN_CLUSTER, null, null);
    backend("gpu-b", Locality.IN_CLUSTER, null, null);
    Route r =
        route(
            RoutingStrategy.WEIGHTED,
            target("cloud", 90, 0),
            target("gpu-a", 5, 1),
            target("gpu-b", 5, 2));
    SplittableRandom random = new SplittableRandom(7);
    int gpuA = 0;
    int draws = 10_000;
    for (int i = 0; i < draws; i++) {
      List<String> o =
          names(
              TargetOrdering.order(
                      r, backends::get, b -> b.locality() == Locality.IN_CLUSTER, health, random)
                  .eligible());
      assertThat(o).doesNotContain("cloud");
      gpuA += o.getFirst().equals("gpu-a") ? 1 : 0;
    }
    // Drawn among the allowed targets (5:5), not "the first allowed after a forbidden draw" (which
    // would hand gpu-a about 95% of the traffic).
    assertThat(gpuA / (double) draws).isCloseTo(0.5, within(0.03));
  }

  @Test
  void leastLatencyPrefersUntriedBackendsThenTheLowestMovingAverage() {
    for (String n : List.of("slow", "fast", "new")) {
      backend(n, Locality.IN_CLUSTER, null, null);
    }
    Route r =
        route(
            RoutingStrategy.LEAST_LATENCY,
            target("slow", 1, 0),
            target("fast", 1, 1),
            target("new", 1, 2));
    health.recordLatency("slow", 900);
    health.recordLatency("fast", 100);

    assertThat(order(r))
        .as("the unmeasured backend goes first so that it gets measured")
        .containsExactly("new", "fast", "slow");

    health.recordLatency("new", 400);
    assertThat(order(r)).containsExactly("fast", "new", "slow");

    // A moving average: one slow sample moves it by a fifth of the difference, not all the way.
    health.recordLatency("fast", 600);
    assertThat(health.latency("fast")).isEqualTo(200.0);
    assertThat(order(r)).containsExactly("fast", "new", "slow");
    for (int i = 0; i < 10; i++) {
      health.recordLatency("fast", 600);
    }
    assertThat(health.latency("fast")).isBetween(500.0, 600.0);
    assertThat(order(r)).containsExactly("new", "fast", "slow");
  }

  @Test
  void leastLatencyTiesFallBackToPriority() {
    backend("a", Locality.IN_CLUSTER, null, null);
    backend("b", Locality.IN_CLUSTER, null, null);
    Route r = route(RoutingStrategy.LEAST_LATENCY, target("a", 1, 1), target("b", 1, 0));

    assertThat(order(r)).containsExactly("b", "a");
  }

  @Test
  void lowestCostOrdersByInputPlusOutputPriceWithUnpricedBackendsLast() {
    backend("unpriced", Locality.IN_CLUSTER, null, null);
    backend("premium", Locality.EXTERNAL, 3.0, 15.0);
    backend("flash", Locality.EXTERNAL, 0.30, 2.50);
    backend("input-only", Locality.EXTERNAL, 1.0, null);
    backend("flash-twin", Locality.EXTERNAL, 2.50, 0.30);
    Route r =
        route(
            RoutingStrategy.LOWEST_COST,
            target("unpriced", 1, 0),
            target("premium", 1, 0),
            target("flash", 1, 2),
            target("input-only", 1, 0),
            target("flash-twin", 1, 1));

    // input-only costs 1.0; flash and flash-twin both 2.8 (tie: priority 1 before 2).
    assertThat(order(r))
        .containsExactly("input-only", "flash-twin", "flash", "premium", "unpriced");
  }

  @Test
  void noStrategyEverReAdmitsATargetTheDataClassForbids() {
    backend("cloud-cheap", Locality.EXTERNAL, 0.01, 0.01);
    backend("cloud-fast", Locality.EXTERNAL, null, null);
    backend("gpu", Locality.IN_CLUSTER, 5.0, 5.0);
    health.recordLatency("gpu", 5_000);
    Predicate<Backend> inClusterOnly = b -> b.locality() == Locality.IN_CLUSTER;
    for (RoutingStrategy s : RoutingStrategy.values()) {
      Route r =
          route(
              s,
              target("cloud-cheap", 100, 0),
              target("cloud-fast", 100, 0),
              target("gpu", 1, 9),
              target("missing", 100, 0));
      for (long seed = 0; seed < 200; seed++) {
        TargetOrdering.Ordered o =
            TargetOrdering.order(
                r, backends::get, inClusterOnly, health, new SplittableRandom(seed));
        assertThat(names(o.eligible())).as(s + " seed " + seed).containsExactly("gpu");
        assertThat(names(o.withheld())).containsExactly("cloud-cheap", "cloud-fast", "missing");
      }
      assertThat(order(r, b -> false, 3)).as(s + " with nothing allowed").isEmpty();
    }
  }
}
