package io.aihandler.router.routing;

import io.aihandler.router.config.Route;
import io.aihandler.router.config.SidecarSettings;
import io.aihandler.router.metrics.RouterMetrics;
import io.aihandler.router.routing.AttemptResult.Failed;
import io.aihandler.router.runtime.BackendRuntime;
import io.aihandler.router.runtime.ColdCapacity;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * The cold path of one request, before each attempt: a target with no ready replica is spilt over
 * from (to the next ready target the request may reach) or the request is held for it, as {@link
 * ColdRoute} decides, and a refused connection to a backend with {@code capacity} sends the request
 * back through it. It keeps what the request held and where it spilt from, so a hold is bounded
 * over all of its turns and a spilt request's cost is counted once it is served.
 */
final class ColdGate {

  /** What the request does after the gate. */
  enum Turn {
    /** Attempt the current target. */
    ATTEMPT,
    /** The request moved on to a later target: look again. */
    MOVED,
    /** The client of a held stream left after a keep-alive began its response. */
    CLIENT_GONE
  }

  private final ColdCapacity cold;
  private final RouterMetrics metrics;
  private final RoutedCall call;
  private final CallRecord record;
  private final SidecarSettings sidecar;
  private final HeldStream keepAlive;
  private final RandomGenerator random;
  private final long budgetNanos;
  private long heldNanos;
  private String spilledFrom;

  /**
   * @param keepAlive where keep-alives go while the request is held; null for none
   * @param random spreads the {@code Retry-After} of the cold path's 503s
   */
  ColdGate(
      ColdCapacity cold,
      RouterMetrics metrics,
      RoutedCall call,
      CallRecord record,
      SidecarSettings sidecar,
      HeldStream keepAlive,
      RandomGenerator random) {
    this.cold = cold;
    this.metrics = metrics;
    this.call = call;
    this.record = record;
    this.sidecar = sidecar;
    this.keepAlive = keepAlive;
    this.random = random;
    this.budgetNanos = call.route().coldStartTimeoutDuration().toNanos();
  }

  /**
   * Decides about the target at {@code state.target()}: attempt it, move on, or hold until it is
   * ready (the time held moves the request's deadline on).
   *
   * @throws io.aihandler.router.ApiException when the hold is full, runs out, or the sidecar stops
   * @throws ClientLeftException when the client left while held, before anything was written to it
   */
  Turn before(List<BackendRuntime> order, RetryState state) {
    Route route = call.route();
    BackendRuntime b = order.get(state.target());
    ColdRoute.Step step = ColdRoute.step(order, state.target(), cold::state, route.spillOver());
    switch (step) {
      case ColdRoute.Proceed p -> {
        return Turn.ATTEMPT;
      }
      case ColdRoute.Spill spill -> {
        BackendRuntime to = order.get(spill.to());
        metrics.spillover(route.name(), b.name(), to.name(), ColdRoute.reason(spill.from()));
        record.failures.add(
            b.name()
                + ": no ready replica ("
                + ColdRoute.stateName(spill.from())
                + "), spilt over");
        cold.wake(b.config(), sidecar.activation());
        spilledFrom = spilledFrom == null ? b.name() : spilledFrom;
        state.spillTo(spill.to());
        return Turn.MOVED;
      }
      case ColdRoute.Hold hold -> {
        return hold(b, hold, state);
      }
    }
  }

  private Turn hold(BackendRuntime b, ColdRoute.Hold hold, RetryState state) {
    cold.wake(b.config(), sidecar.activation());
    long since = System.nanoTime();
    ColdCapacity.Outcome o =
        cold.hold(
            b.config(),
            sidecar.maxHeldRequests(),
            since + Math.max(0, budgetNanos - heldNanos),
            sidecar.holdKeepAliveIntervalDuration(),
            keepAlive,
            record.client());
    long waited = System.nanoTime() - since;
    heldNanos += waited;
    state.held(waited);
    return switch (o) {
      case READY -> Turn.ATTEMPT;
      case CANCELLED -> {
        record.outcome = Outcome.CLIENT_CLOSED;
        if (keepAlive != null && keepAlive.sent()) {
          yield Turn.CLIENT_GONE; // the stream's response began: it ends without another word
        }
        throw new ClientLeftException();
      }
      case FULL -> {
        record.outcome = Outcome.UNAVAILABLE;
        OptionalLong soonest = cold.soonestHoldEnd(b.config());
        long retryAfter =
            ColdRetryAfter.holdQueueFull(
                cold.probeInterval(),
                soonest.isPresent()
                    ? Duration.ofNanos(soonest.getAsLong() - System.nanoTime())
                    : null,
                random);
        throw Failures.holdsFull(b, ColdRoute.stateName(hold.state()), sidecar.maxHeldRequests())
            .withRetryAfter(retryAfter);
      }
      case TIMEOUT -> {
        record.outcome = Outcome.UNAVAILABLE;
        long retryAfter =
            ColdRetryAfter.coldStartTimeout(
                cold.probeInterval(), call.route().coldStartTimeoutDuration(), random);
        throw Failures.holdTimeout(
                call, b, ColdRoute.stateName(cold.state(b.config())), heldNanos / 1_000_000)
            .withRetryAfter(retryAfter);
      }
      case INTERRUPTED -> throw Failures.shuttingDown();
    };
  }

  /**
   * Whether a failed attempt was a refused connection to a backend with {@code capacity}: it is
   * then taken as starting and the attempt given back, so the next turn spills over or holds.
   */
  boolean refused(BackendRuntime b, Failed f, RetryState state) {
    if (!Failures.CONNECTION_REFUSED.equals(f.error().code())) {
      return false;
    }
    cold.lost(b.config());
    state.refund();
    return true;
  }

  /** An attempt of {@code b} answered: a spilt request's metered cost is counted. */
  void answered(BackendRuntime b) {
    if (spilledFrom != null) {
      metrics.spilloverCost(call.route().name(), spilledFrom, b.name(), record.cost);
    }
  }
}
