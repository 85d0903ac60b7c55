package io.aihandler.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What judging task answers observed, the metrics the operator's advisor reads from Prometheus:
 * every task answer judged by role ({@code primary}, the answer the client got; {@code shadow}, a
 * candidate's answer to the same request), how shadow answers agree with the primary's, why sampled
 * requests were not mirrored, and each task request's effective data class. Labels are config names
 * and fixed vocabularies only.
 */
public final class EvaluationMetrics {

  /** The role of the answer the client got. */
  public static final String PRIMARY = "primary";

  /** The role of a candidate's answer to a mirrored request. */
  public static final String SHADOW = "shadow";

  private final MeterRegistry registry;
  private final Map<Key, Judged> judged = new ConcurrentHashMap<>();
  private final Map<Key, Counter> answers = new ConcurrentHashMap<>();
  private final Map<Key, Counter> agreements = new ConcurrentHashMap<>();
  private final Map<Key, Counter> skips = new ConcurrentHashMap<>();
  private final Map<Key, Counter> dataClasses = new ConcurrentHashMap<>();

  private record Key(String a, String b, String c, String d) {}

  private record Judged(Timer duration, Counter input, Counter output, Counter cost) {}

  EvaluationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * One judged task call.
   *
   * @param result {@code valid_first_try}, {@code valid_after_repair}, {@code invalid} or {@code
   *     failed}
   * @param nanos the whole call, repairs, retries and fallbacks included
   */
  public void answer(
      String task,
      String backend,
      String role,
      String result,
      long nanos,
      long inputTokens,
      long outputTokens,
      double costUsd) {
    meter(
            answers,
            new Key(task, backend, role, result),
            k ->
                Counter.builder("aihandler.task.answers")
                    .description("Judged task answers by backend, role and result")
                    .tags("task", k.a(), "backend", k.b(), "role", k.c(), "result", k.d())
                    .register(registry))
        .increment();
    Judged j =
        meter(
            judged,
            new Key(task, backend, role, ""),
            k ->
                new Judged(
                    Timer.builder("aihandler.task.answer.duration")
                        .description("Judged task calls, repairs included")
                        .publishPercentileHistogram(false)
                        .serviceLevelObjectives(LatencyBuckets.REQUEST)
                        .tags("task", k.a(), "backend", k.b(), "role", k.c())
                        .register(registry),
                    Counter.builder("aihandler.task.tokens")
                        .description("Tokens of judged task calls by role and direction")
                        .tags("task", k.a(), "backend", k.b(), "role", k.c(), "direction", "input")
                        .register(registry),
                    Counter.builder("aihandler.task.tokens")
                        .tags("task", k.a(), "backend", k.b(), "role", k.c(), "direction", "output")
                        .register(registry),
                    Counter.builder("aihandler.task.cost.usd")
                        .description("Cost in USD of judged task calls, from the backend's pricing")
                        .tags("task", k.a(), "backend", k.b(), "role", k.c())
                        .register(registry)));
    j.duration().record(nanos, TimeUnit.NANOSECONDS);
    j.input().increment(inputTokens);
    j.output().increment(outputTokens);
    j.cost().increment(costUsd);
  }

  /**
   * Shadow answers compared with the primary's.
   *
   * @param measure {@code exact} or {@code field}
   * @param agree whether they agreed
   * @param count how many comparisons (fields) had this result
   */
  public void agreement(String task, String backend, String measure, boolean agree, int count) {
    if (count <= 0) {
      return;
    }
    meter(
            agreements,
            new Key(task, backend, measure, agree ? "agree" : "disagree"),
            k ->
                Counter.builder("aihandler.shadow.agreement")
                    .description("Shadow answers compared with the primary's valid answer")
                    .tags("task", k.a(), "backend", k.b(), "measure", k.c(), "result", k.d())
                    .register(registry))
        .increment(count);
  }

  /**
   * A request sampled for a candidate and not mirrored to it.
   *
   * @param reason {@code data_class}, {@code busy}, {@code cost_cap}, {@code limits}, {@code
   *     circuit_open} or {@code primary_failed}
   */
  public void skipped(String task, String backend, String reason) {
    meter(
            skips,
            new Key(task, backend, reason, ""),
            k ->
                Counter.builder("aihandler.shadow.skipped")
                    .description("Sampled requests not mirrored to a candidate, by reason")
                    .tags("task", k.a(), "backend", k.b(), "reason", k.c())
                    .register(registry))
        .increment();
  }

  /** One task request by its effective data class (after detectors and headers). */
  public void dataClass(String task, String dataClass) {
    meter(
            dataClasses,
            new Key(task, dataClass, "", ""),
            k ->
                Counter.builder("aihandler.task.data.classes")
                    .description("Task requests by their effective data class")
                    .tags("task", k.a(), "data_class", k.b())
                    .register(registry))
        .increment();
  }

  private static <K, M> M meter(Map<K, M> cache, K key, Function<K, M> register) {
    M known = cache.get(key);
    return known != null ? known : cache.computeIfAbsent(key, register);
  }
}
