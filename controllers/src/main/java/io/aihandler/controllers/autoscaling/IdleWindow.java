package io.aihandler.controllers.autoscaling;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When a backend was last seen in use, for scale to zero. Use is a running or waiting request, a
 * completed request (a pod's {@code vllm:request_success_total} moved between two readings, which
 * catches bursts that start and end between scrapes), an activation, or anything unknown: a ready
 * pod that did not answer, or metrics without the request gauges, is never taken as idle. The
 * window starts when the first reading is made, so a freshly elected leader watches a whole window
 * before it scales anything to zero. Pure apart from what it remembers; not thread-safe.
 */
final class IdleWindow {

  private Instant lastUse;
  private final Map<String, Double> completedByPod = new HashMap<>();

  /**
   * Takes one reading.
   *
   * @param loads one entry per ready pod
   * @param lastActivation the latest activation, or null
   */
  void observe(Instant now, List<PodLoad> loads, Instant lastActivation) {
    if (lastUse == null) {
      lastUse = now;
    }
    boolean used = false;
    Map<String, Double> seen = new HashMap<>();
    for (PodLoad load : loads) {
      PodActivity activity = load.activity();
      if (activity == null) {
        used = true;
        continue;
      }
      Double before = completedByPod.get(load.pod());
      seen.put(load.pod(), activity.completed());
      // A pod read for the first time has no baseline; a counter that went down was reset by a
      // restart, and the restarted pod may have served since.
      if (activity.inFlight() > 0 || (before != null && activity.completed() != before)) {
        used = true;
      }
    }
    completedByPod.clear();
    completedByPod.putAll(seen);
    if (used) {
      lastUse = now;
    }
    if (lastActivation != null) {
      // An activation stamped ahead of this clock (another replica's) counts as now.
      Instant at = lastActivation.isAfter(now) ? now : lastActivation;
      if (at.isAfter(lastUse)) {
        lastUse = at;
      }
    }
  }

  /** How long the backend has been idle, as of the last reading. */
  Duration idleFor(Instant now) {
    return lastUse == null ? Duration.ZERO : Duration.between(lastUse, now);
  }
}
