package io.aihandler.controllers.autoscaling;

import java.time.Duration;
import java.time.Instant;
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
 *       average of the others, and no scale-down happens while any pod is unaccounted for.
 * </ul>
 *
 * Not thread-safe: one decider per backend, called from its reconciliation.
 */
public final class ScalingDecider {

  private record Recommendation(Instant at, int replicas) {}

  private final Deque<Recommendation> history = new ArrayDeque<>();
  private Instant firstSeen;

  /**
   * Decides the replicas.
   *
   * @param policy the backend's scaling knobs (may change between calls)
   * @param now the current time
   * @param currentReplicas replicas the Deployment has now
   * @param startingPods pods that exist but are not ready yet (loading the model)
   * @param loads one entry per ready pod
   */
  public ScalingDecision decide(
      ScalingPolicy policy,
      Instant now,
      int currentReplicas,
      int startingPods,
      List<PodLoad> loads) {
    if (firstSeen == null) {
      firstSeen = now;
    }
    int current = Math.max(0, currentReplicas);
    int bounded = policy.clamp(current);
    if (bounded != current) {
      return new ScalingDecision(
          bounded,
          "replicas " + current + " outside " + policy.minReplicas() + ".." + policy.maxReplicas());
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
    int raw = policy.clamp((int) Math.ceil(total / policy.target() - 1e-9));
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
