package io.aihandler.router.shadow;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Picks the requests mirrored to a candidate: each independently with the candidate's sample rate.
 * A fast generator, not a secure one: a sample guards nothing, and a shared lock would cost every
 * request.
 */
final class ShadowSampler {

  private final Supplier<RandomGenerator> random;

  /** Samples with the calling thread's own generator. */
  ShadowSampler() {
    this(ThreadLocalRandom::current);
  }

  ShadowSampler(Supplier<RandomGenerator> random) {
    this.random = random;
  }

  /** Whether this request is mirrored at {@code rate} (0 never, 1 always). */
  boolean sampled(Double rate) {
    if (rate == null || !(rate > 0)) {
      return false;
    }
    return rate >= 1 || random.get().nextDouble() < rate;
  }
}
