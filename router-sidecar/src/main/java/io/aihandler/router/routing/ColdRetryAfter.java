package io.aihandler.router.routing;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The {@code Retry-After} of the cold path's 503s, in whole seconds. A cold backend's readiness is
 * learnt at a health probe, one every probe interval, and a ready backend releases every request
 * held for it at once: a client that comes back sooner than the next probe can only find what it
 * left, one that comes back much later waits on a backend that may have been serving for a while.
 * Each value is spread at random, so the requests of a burst, refused or timed out together, do not
 * come back together.
 */
final class ColdRetryAfter {

  /**
   * The most ever asked: the OpenAI SDKs ignore a {@code Retry-After} above 60 s and fall back to
   * their own backoff of a second or so, which would bring the client back sooner, not later.
   */
  static final long MAX_SECONDS = 60;

  private ColdRetryAfter() {}

  /**
   * For {@code hold_queue_full}: a held place frees up at the latest when the first held request
   * runs out of hold, and every place frees up when a probe finds the backend ready. So the sooner
   * of the two (at least 1 s), plus up to one probe interval at random.
   *
   * @param soonestHoldEnd how long until the first held request's hold runs out; null if unknown
   */
  static long holdQueueFull(
      Duration probeInterval, Duration soonestHoldEnd, RandomGenerator random) {
    long probe = seconds(probeInterval);
    long base =
        soonestHoldEnd == null || soonestHoldEnd.isNegative()
            ? probe
            : Math.min(probe, seconds(soonestHoldEnd));
    return bounded(Math.max(1, base) + random.nextLong(probe + 1));
  }

  /**
   * For {@code cold_start_timeout}: not sooner than the next probe, and spread over a window a
   * tenth of the route's {@code coldStartTimeout} wide (at least one probe interval). The requests
   * held together time out together; a backend that stayed cold for a whole hold is more likely
   * stuck (a crash loop, no node for its GPUs) than about to be ready, so the longer the clients
   * were prepared to wait, the further apart they come back.
   */
  static long coldStartTimeout(
      Duration probeInterval, Duration coldStartTimeout, RandomGenerator random) {
    long probe = Math.max(1, seconds(probeInterval));
    long window = Math.min(Math.max(seconds(coldStartTimeout.dividedBy(10)), probe), MAX_SECONDS);
    window = Math.max(0, Math.min(window, MAX_SECONDS - probe));
    return bounded(probe + random.nextLong(window + 1));
  }

  /** A duration in whole seconds, rounded up. */
  private static long seconds(Duration d) {
    long whole = d.getSeconds();
    return d.getNano() > 0 ? whole + 1 : whole;
  }

  private static long bounded(long seconds) {
    return Math.max(1, Math.min(MAX_SECONDS, seconds));
  }
}
