package io.aihandler.router.metrics;

import java.time.Duration;

/**
 * The bucket boundaries of the sidecar's latency histograms, fixed so that every sidecar of a
 * cluster publishes the same {@code le} values and their buckets can be summed. They span what LLM
 * calls take, roughly 2–2.5× apart: fine where a latency objective is set, coarse in the tail.
 */
final class LatencyBuckets {

  /** A whole request, and one upstream call: a cached answer in ms to a long generation. */
  static final Duration[] REQUEST =
      of(
          ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), s(1), ms(2500), s(5), s(10),
          s(20), s(30), s(60), s(120), s(300), s(600));

  static final Duration[] UPSTREAM = REQUEST;

  /** The sidecar's own work per request: tens of microseconds when healthy. */
  static final Duration[] OVERHEAD =
      of(
          us(50), us(100), us(250), us(500), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100),
          ms(250), ms(500), s(1));

  /** Time to first token: a warm small model in tens of ms, a queued large one in a minute. */
  static final Duration[] FIRST_TOKEN =
      of(
          ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), s(1), ms(2500), s(5), s(10), s(20),
          s(30), s(60), s(120));

  /** The gap between two content chunks: a few ms when decoding, seconds when it stalls. */
  static final Duration[] BETWEEN_TOKENS =
      of(
          ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), s(1), ms(2500),
          s(5));

  private LatencyBuckets() {}

  private static Duration[] of(Duration... d) {
    return d;
  }

  private static Duration us(long micros) {
    return Duration.ofNanos(micros * 1_000);
  }

  private static Duration ms(double millis) {
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }

  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
