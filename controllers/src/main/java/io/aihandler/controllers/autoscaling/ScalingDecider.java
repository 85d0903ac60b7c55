package io.aihandler.controllers.autoscaling;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Decides the replicas of one autoscaled vLLM backend from the load its ready pods report. It is
 * pure apart from the recommendations it remembers; time comes in as an argument, so load traces
 * can be replayed without waiting.
 *
 * <ul>
 *   <li>recommendation = ceil(total signal / target), within [min, max];
 *   <li>scale up only when every recommendation during {@code scaleUpStabilization} was higher (the
 *       lowest of them is taken), except on a spike: load of {@link ScalingPolicy#SPIKE_FACTOR}
 *       times the target per current replica or more scales at once;
 *   <li>scale down only when every recommendation during {@code scaleDownDelay} was lower (the
 *       highest of them is taken), so short dips do not cost a slow model reload;
 *   <li>pods still loading count as coming capacity: no further scale-up (except on a spike) until
 *       they serve, so a queue that grows while weights load does not cause overshoot;
 *   <li>a ready pod that does not answer is never taken as idle: its load is estimated as the
 *       average of the others, and no scale-down happens while any pod is unaccounted for;
 *   <li>with {@code minReplicas: 0}, load alone never goes below one replica: only a whole {@code
 *       scaleToZeroAfter} window without use ({@link IdleWindow}) scales to zero, and an activation
 *       at zero scales to one at once (the spike path, no stabilisation). An activation within the
 *       window is always newer than the scale to zero, since that needed a window without one; so
 *       "an activation within the window" is the whole wake-up rule and survives a change of
 *       leader.
 * </ul>
 *
 * Not thread-safe: one decider per backend, called from its reconciliation.
 */
public final class ScalingDecider {

  private record Recommendation(Instant at, int replicas) {}

  private final Deque<Recommendation> history = new ArrayDeque<>();
  private final IdleWindow idle = new IdleWindow();
  private Instant firstSeen;

  /** Decides the replicas of a backend that has never been activated. */
  public ScalingDecision decide(
      ScalingPolicy policy,
      Instant now,
      int currentReplicas,
      int startingPods,
      List<PodLoad> loads) {
    return decide(policy, now, currentReplicas, startingPods, loads, null);
  }

  /**
   * Decides the replicas.
   *
   * @param policy the backend's scaling knobs (may change between calls)
   * @param now the current time
   * @param currentReplicas replicas the Deployment has now
   * @param startingPods pods that exist but are not ready yet (loading the model)
   * @param loads one entry per ready pod
   * @param lastActivation when a router last asked for the backend, or null
   */
  public ScalingDecision decide(
      ScalingPolicy policy,
      Instant now,
      int currentReplicas,
      int startingPods,
      List<PodLoad> loads,
      Instant lastActivation) {
    if (firstSeen == null) {
      firstSeen = now;
    }
    int current = Math.max(0, currentReplicas);
    idle.observe(now, loads, lastActivation);
    int bounded = policy.clamp(current);
    if (bounded != current) {
      return new ScalingDecision(
          bounded,
          "replicas " + current + " outside " + policy.minReplicas() + ".." + policy.maxReplicas());
    }
    if (policy.scalesToZero()) {
      Duration window = policy.scaleToZeroAfter();
      if (current == 0) {
        if (lastActivation != null && !lastActivation.isBefore(now.minus(window))) {
          return new ScalingDecision(
              policy.clampServing(1),
              "activated at "
                  + lastActivation.truncatedTo(ChronoUnit.SECONDS)
                  + ": scaling from zero at once");
        }
        return new ScalingDecision(0, "scaled to zero while idle; the next activation wakes it");
      }
      if (idle.idleFor(now).compareTo(window) >= 0) {
        return new ScalingDecision(
            0,
            "idle for "
                + describe(window)
                + " (no running, waiting or completed request, no activation): scaling to zero");
      }
    }
    List<PodLoad> answered = loads.stream().filter(PodLoad::answered).toList();
    int unanswered = loads.size() - answered.size();
    if (answered.isEmpty()) {
      return new ScalingDecision(
          current,
          loads.isEmpty()
              ? "no ready pod to read load from"
              : "no load metrics: " + unanswered + " ready pods did not answer");
    }
    double measured = answered.stream().mapToDouble(l -> l.value().getAsDouble()).sum();
    double total = measured + unanswered * (measured / answered.size());
    int raw = policy.clampServing((int) Math.ceil(total / policy.target() - 1e-9));
    remember(now, raw, policy);

    String signal =
        String.format(
            Locale.ROOT,
            "%s %.2f for target %.2f per replica",
            metricName(policy),
            total,
            policy.target());
    if (raw > current) {
      boolean spike = total >= ScalingPolicy.SPIKE_FACTOR * policy.target() * Math.max(1, current);
      if (spike) {
        return new ScalingDecision(raw, signal + ": spike, scaling at once");
      }
      if (startingPods > 0) {
        return new ScalingDecision(
            current, signal + ": waiting for " + startingPods + " loading pods first");
      }
      Integer held = heldFor(now, policy.scaleUpStabilization(), true);
      if (held != null && held > current) {
        return new ScalingDecision(held, signal);
      }
      return new ScalingDecision(current, signal + ": scale-up waits for stabilization");
    }
    if (raw < current) {
      if (unanswered > 0) {
        return new ScalingDecision(
            current, signal + ": not scaling down while " + unanswered + " pods do not answer");
      }
      Integer held = heldFor(now, policy.scaleDownDelay(), false);
      if (held != null && held < current) {
        return new ScalingDecision(held, signal);
      }
      return new ScalingDecision(current, signal + ": scale-down waits for its delay");
    }
    return new ScalingDecision(current, signal);
  }

  private static String describe(Duration window) {
    long seconds = window.toSeconds();
    if (seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }

  private static String metricName(ScalingPolicy policy) {
    return switch (policy.metric()) {
      case QUEUE -> "queue";
      case RUNNING -> "running";
      case KV_CACHE -> "kvCache";
    };
  }

  private void remember(Instant now, int replicas, ScalingPolicy policy) {
    history.addLast(new Recommendation(now, replicas));
    Duration keep =
        policy.scaleUpStabilization().compareTo(policy.scaleDownDelay()) > 0
            ? policy.scaleUpStabilization()
            : policy.scaleDownDelay();
    Instant horizon = now.minus(keep);
    // Keep the newest entry at or before the horizon: it was in force when the window opened.
    while (history.size() > 1) {
      Iterator<Recommendation> it = history.iterator();
      it.next();
      if (!it.next().at().isAfter(horizon)) {
        history.removeFirst();
      } else {
        break;
      }
    }
  }

  /**
   * The lowest (scale-up) or highest (scale-down) recommendation over the window, or null when the
   * decider has not watched a whole window yet.
   */
  private Integer heldFor(Instant now, Duration window, boolean lowest) {
    Instant start = now.minus(window);
    if (firstSeen.isAfter(start)) {
      return null;
    }
    Integer result = null;
    Recommendation inForceAtStart = null;
    for (Recommendation r : history) {
      if (!r.at().isAfter(start)) {
        inForceAtStart = r;
        continue;
      }
      result =
          result == null
              ? r.replicas()
              : lowest ? Math.min(result, r.replicas()) : Math.max(result, r.replicas());
    }
    if (inForceAtStart != null) {
      int r = inForceAtStart.replicas();
      result = result == null ? r : lowest ? Math.min(result, r) : Math.max(result, r);
    }
    return result;
  }
}
