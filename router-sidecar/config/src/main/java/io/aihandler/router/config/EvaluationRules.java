package io.aihandler.router.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of shadow evaluation in a router document: the sidecar's shadow bounds, and each task's
 * {@code evaluate}. A candidate gets the task's requests, so it must exist, chat, and be allowed
 * for the task's data class even when no route of the task reaches it: a shadow never sends data
 * where the task's own class could not.
 */
final class EvaluationRules {

  /** Shadow threads are for a sample of the traffic, never a second serving pool. */
  static final int MAX_SHADOW_CONCURRENCY = 64;

  static final int MAX_SHADOW_QUEUE = 10_000;

  /** Heap for shadow calls: more than this is a typo, not a plan. */
  static final long MAX_SHADOW_MEMORY_BYTES = 1024L * 1024 * 1024;

  static final int MAX_CANDIDATES = 8;

  private EvaluationRules() {}

  static void sidecar(SidecarSettings s, List<String> p) {
    if (s.shadowConcurrency() < 0 || s.shadowConcurrency() > MAX_SHADOW_CONCURRENCY) {
      p.add(
          "sidecar.shadowConcurrency: "
              + s.shadowConcurrency()
              + " is outside 0.."
              + MAX_SHADOW_CONCURRENCY);
    }
    if (s.shadowQueue() < 0 || s.shadowQueue() > MAX_SHADOW_QUEUE) {
      p.add("sidecar.shadowQueue: " + s.shadowQueue() + " is outside 0.." + MAX_SHADOW_QUEUE);
    }
    if (s.shadowMemoryBytes() < 0 || s.shadowMemoryBytes() > MAX_SHADOW_MEMORY_BYTES) {
      p.add(
          "sidecar.shadowMemoryBytes: "
              + s.shadowMemoryBytes()
              + " is outside 0.."
              + MAX_SHADOW_MEMORY_BYTES
              + " (1 GiB)");
    }
  }

  static void tasks(RouterConfig c, List<String> p) {
    for (int i = 0; i < c.tasks().size(); i++) {
      Task t = c.tasks().get(i);
      if (t.evaluate() != null) {
        evaluation("tasks[" + i + "].evaluate", t, c, p);
      }
    }
  }

  private static void evaluation(String at, Task t, RouterConfig c, List<String> p) {
    Evaluation e = t.evaluate();
    if (e.candidates().isEmpty() || e.candidates().size() > MAX_CANDIDATES) {
      p.add(at + ".candidates: 1 to " + MAX_CANDIDATES + " candidates");
    }
    if (e.dailyCostCap() != null && !(e.dailyCostCap() >= 0)) {
      p.add(at + ".dailyCostCap: must be a number of US dollars, at least 0");
    }
    // The class the task's requests get before detectors and headers add stricter ones.
    String className = t.dataClass() != null ? t.dataClass() : c.defaultDataClass();
    DataClass dataClass = className == null ? null : c.dataClass(className).orElse(null);
    Set<String> named = new HashSet<>();
    for (int i = 0; i < e.candidates().size(); i++) {
      EvaluationCandidate candidate = e.candidates().get(i);
      String here = at + ".candidates[" + i + "]";
      Double rate = candidate.sampleRate();
      if (rate == null || !(rate >= 0 && rate <= 1)) {
        p.add(here + ".sampleRate: must be from 0 to 1");
      }
      Backend b = candidate.backend() == null ? null : c.backend(candidate.backend()).orElse(null);
      if (b == null) {
        p.add(here + ".backend: no backend \"" + candidate.backend() + "\"");
        continue;
      }
      if (!named.add(b.name())) {
        p.add(here + ".backend: backend " + b.name() + " is a candidate twice");
      }
      if (!b.capabilities().chat()) {
        p.add(
            here
                + ".backend: backend "
                + b.name()
                + " does not chat (capabilities.chat: false), so it cannot answer task "
                + t.name());
      }
      if (dataClass != null && !dataClass.allowedLocalities().contains(b.locality())) {
        p.add(
            here
                + ".backend: backend "
                + b.name()
                + " is "
                + b.locality().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + ", which data class "
                + dataClass.name()
                + " of task "
                + t.name()
                + " does not allow");
      }
    }
  }
}
