package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.Scaling;
import io.aihandler.api.v1alpha1.ScalingMetric;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Scale to zero and wake-up as pure, trace-driven decisions: {@link ScalingDecider} is fed one
 * reading every 15 s of simulated time, and the test plays the Deployment (the replicas decided
 * exist at the next tick; a pod started from zero is ready after a model-load time).
 */
class ScaleToZeroDecisionTest {

  private static final Duration TICK = Duration.ofSeconds(15);
  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  private static final ScalingPolicy TO_ZERO =
      new ScalingPolicy(
          0,
          4,
          ScalingMetric.QUEUE,
          5,
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30));

  /** What one tick of a trace shows: per ready pod its in-flight requests and success counter. */
  record Reading(double inFlight, double completed) {}

  /** One decision of a replayed trace. */
  record Step(Duration at, int replicas, String reason) {}

  /** A replay: the decider, the replicas in force, pods loading, and activations by tick. */
  static final class Trace {
    final ScalingDecider decider = new ScalingDecider();
    final ScalingPolicy policy;
    final List<Step> steps = new ArrayList<>();
    int replicas;
    int readyPods;
    Instant lastActivation;
    Duration loadTime = Duration.ofMinutes(3);
    Instant loadingSince;

    Trace(ScalingPolicy policy, int replicas) {
      this.policy = policy;
      this.replicas = replicas;
      this.readyPods = replicas;
    }

    /** Runs {@code ticks} ticks from {@code start}; {@code reading} gives every ready pod's. */
    Trace run(Duration start, int ticks, IntFunction<Reading> reading) {
      for (int i = 0; i < ticks; i++) {
        Duration at = start.plus(TICK.multipliedBy(i));
        Instant now = T0.plus(at);
        if (loadingSince != null && !now.isBefore(loadingSince.plus(loadTime))) {
          readyPods = replicas;
          loadingSince = null;
        }
        List<PodLoad> loads = new ArrayList<>();
        Reading r = reading.apply((int) (at.toSeconds() / TICK.toSeconds()));
        for (int p = 0; p < readyPods; p++) {
          loads.add(
              r == null
                  ? PodLoad.failed("pod-" + p, "metrics did not answer")
                  : PodLoad.of(
                      "pod-" + p, r.inFlight() / 2, new PodActivity(r.inFlight(), r.completed())));
        }
        ScalingDecision decision =
            decider.decide(policy, now, replicas, replicas - readyPods, loads, lastActivation);
        steps.add(new Step(at, decision.replicas(), decision.reason()));
        if (decision.replicas() > replicas) {
          loadingSince = now;
        } else if (decision.replicas() < replicas) {
          readyPods = Math.min(readyPods, decision.replicas());
        }
        replicas = decision.replicas();
      }
      return this;
    }

    Trace activateAt(Duration at) {
      lastActivation = T0.plus(at);
      return this;
    }

    /** When the trace first decided zero replicas, or null. */
    Duration firstZero() {
      return steps.stream().filter(s -> s.replicas() == 0).map(Step::at).findFirst().orElse(null);
    }

    Step at(Duration at) {
      return steps.stream().filter(s -> s.at().equals(at)).findFirst().orElseThrow();
    }
  }

  private static IntFunction<Reading> idle(double completed) {
    return tick -> new Reading(0, completed);
  }

  @Test
  void scalesToZeroOnlyOnceTheWholeWindowWasIdle() {
    Trace trace = new Trace(TO_ZERO, 1).run(Duration.ZERO, 140, idle(42));

    assertThat(trace.firstZero()).isEqualTo(Duration.ofMinutes(30));
    assertThat(trace.at(Duration.ofMinutes(30).minus(TICK)).replicas()).isEqualTo(1);
    assertThat(trace.at(Duration.ofMinutes(30)).reason())
        .isEqualTo(
            "idle for 30m (no running, waiting or completed request, no activation): scaling to"
                + " zero");
    // Once at zero it stays there with nothing asking for it.
    assertThat(trace.steps.subList(121, 140)).allMatch(s -> s.replicas() == 0);
    assertThat(trace.at(Duration.ofMinutes(34)).reason())
        .isEqualTo("scaled to zero while idle; the next activation wakes it");
  }

  @Test
  void aRequestThatCompletedBetweenTwoScrapesRestartsTheWindow() {
    // Nothing is ever in flight at a scrape, but the counter moves once, at minute 20.
    Trace trace =
        new Trace(TO_ZERO, 1).run(Duration.ZERO, 300, tick -> new Reading(0, tick >= 80 ? 43 : 42));

    assertThat(trace.firstZero()).isEqualTo(Duration.ofMinutes(50));
  }

  @Test
  void aRunningOrWaitingRequestRestartsTheWindow() {
    Trace trace =
        new Trace(TO_ZERO, 1).run(Duration.ZERO, 300, tick -> new Reading(tick == 100 ? 1 : 0, 7));

    assertThat(trace.firstZero()).isEqualTo(Duration.ofMinutes(25).plus(Duration.ofMinutes(30)));
  }

  @Test
  void anActivationDuringTheWindowRestartsIt() {
    Trace trace = new Trace(TO_ZERO, 1).run(Duration.ZERO, 100, idle(5));
    trace.activateAt(Duration.ofMinutes(24)).run(Duration.ofMinutes(25), 200, idle(5));

    assertThat(trace.firstZero()).isEqualTo(Duration.ofMinutes(54));
  }

  @Test
  void anActivationAtZeroScalesToOneAtOnceWithoutStabilisation() {
    Trace trace = new Trace(TO_ZERO, 1).run(Duration.ZERO, 121, idle(0));
    assertThat(trace.replicas).isZero();

    trace
        .run(Duration.ofMinutes(40), 1, idle(0))
        .activateAt(Duration.ofMinutes(40).plusSeconds(3))
        .run(Duration.ofMinutes(40).plus(TICK), 1, idle(0));

    // The tick before the activation keeps zero; the first one after it wakes the backend.
    assertThat(trace.at(Duration.ofMinutes(40)).replicas()).isEqualTo(0);
    Step woken = trace.at(Duration.ofMinutes(40).plus(TICK));
    assertThat(woken.replicas()).isEqualTo(1);
    assertThat(woken.reason())
        .isEqualTo("activated at 2026-03-01T09:40:03Z: scaling from zero at once");
  }

  @Test
  void anActivationWhileTheLastPodIsGoingAwayBringsItBack() {
    Trace trace = new Trace(TO_ZERO, 1).run(Duration.ZERO, 121, idle(0));
    assertThat(trace.at(Duration.ofMinutes(30)).replicas()).isZero();

    // The sidecar saw the pod go and asked 5 s after the scale-down.
    trace.activateAt(Duration.ofMinutes(30).plusSeconds(5));
    trace.run(Duration.ofMinutes(30).plus(TICK), 1, idle(0));

    assertThat(trace.replicas).isEqualTo(1);
  }

  @Test
  void aLongModelLoadStaysUpWhileHeldRequestsKeepActivating() {
    Trace trace = new Trace(TO_ZERO, 0);
    trace.loadTime = Duration.ofMinutes(45);
    trace.activateAt(Duration.ZERO);
    // Requests are held the whole load: their sidecar activates again every 10 s.
    for (int tick = 0; tick < 200; tick++) {
      Duration at = TICK.multipliedBy(tick);
      trace.activateAt(at.minusSeconds(5).isNegative() ? Duration.ZERO : at.minusSeconds(5));
      trace.run(at, 1, t -> new Reading(2, 0));
    }

    assertThat(trace.steps.subList(1, 200)).allMatch(s -> s.replicas() >= 1);
    assertThat(trace.readyPods).isPositive();
  }

  @Test
  void flappingLoadNeverScalesToZeroAndLoadAloneNeverGoesBelowOne() {
    // Ten busy minutes, then 25 quiet ones, for five hours: every quiet spell is shorter than
    // the window, and long enough for load-based scale-down to act.
    Trace trace =
        new Trace(TO_ZERO, 2)
            .run(
                Duration.ZERO,
                1200,
                tick -> {
                  int minute = tick / 4;
                  boolean busy = minute % 35 < 10;
                  return new Reading(busy ? 12 : 0, tick);
                });

    assertThat(trace.firstZero()).isNull();
    assertThat(trace.steps).allMatch(s -> s.replicas() >= 1);
    assertThat(trace.steps).anyMatch(s -> s.replicas() == 1);
  }

  @Test
  void aReadyPodThatDoesNotAnswerIsNeverTakenAsIdle() {
    Trace trace = new Trace(TO_ZERO, 1).run(Duration.ZERO, 400, tick -> null);

    assertThat(trace.firstZero()).isNull();
  }

  @Test
  void aRestartedPodsCounterResetCountsAsUse() {
    Trace trace =
        new Trace(TO_ZERO, 1).run(Duration.ZERO, 300, tick -> new Reading(0, tick < 40 ? 900 : 3));

    assertThat(trace.firstZero()).isEqualTo(Duration.ofMinutes(40));
  }

  @Test
  void aNewLeaderWatchesAWholeWindowBeforeScalingToZero() {
    Trace old = new Trace(TO_ZERO, 1).run(Duration.ZERO, 100, idle(1));
    assertThat(old.firstZero()).isNull();

    // Leadership moves at minute 25: the new leader's decider knows nothing of the 25 idle
    // minutes and starts its own window.
    Trace successor = new Trace(TO_ZERO, 1).run(Duration.ofMinutes(25), 200, idle(1));

    assertThat(successor.firstZero()).isEqualTo(Duration.ofMinutes(55));
  }

  @Test
  void anActivationStampedAheadOfTheLeadersClockCountsAsNow() {
    Trace trace = new Trace(TO_ZERO, 1).activateAt(Duration.ofMinutes(10));
    trace.run(Duration.ZERO, 300, idle(0));

    // Read from minute 0 on as "now", the activation restarts the window at every tick until
    // minute 10; it does not hold the backend up for longer than a real one at minute 10 would.
    assertThat(trace.firstZero()).isEqualTo(Duration.ofMinutes(40));
  }

  @Test
  void withMinReplicasAboveZeroNothingScalesToZero() {
    ScalingPolicy one =
        new ScalingPolicy(
            1, 4, ScalingMetric.QUEUE, 5, Duration.ofSeconds(30), Duration.ofMinutes(5));
    Trace trace = new Trace(one, 1).run(Duration.ZERO, 600, idle(0));

    assertThat(one.scalesToZero()).isFalse();
    assertThat(trace.firstZero()).isNull();
  }

  @Test
  void thePolicyDefaultsTheWindowToThirtyMinutesOnlyForMinReplicasZero() {
    Scaling zero = new Scaling(0, 3, null, 2.0, null, null, null);
    Scaling one = new Scaling(1, 3, null, 2.0, null, null, null);
    Scaling custom = new Scaling(0, 3, null, 2.0, null, null, "2h");

    assertThat(ScalingPolicy.of(zero).scaleToZeroAfter()).isEqualTo(Duration.ofMinutes(30));
    assertThat(ScalingPolicy.of(one).scaleToZeroAfter()).isNull();
    assertThat(ScalingPolicy.of(custom).scaleToZeroAfter()).isEqualTo(Duration.ofHours(2));
  }
}
