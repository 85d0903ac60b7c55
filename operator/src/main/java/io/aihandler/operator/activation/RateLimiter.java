package io.aihandler.operator.activation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Token buckets by key: {@code burst} calls at once, then one per {@code refill}. The map is
 * bounded: at {@code maxKeys} the least recently used bucket is dropped (a full bucket, at worst,
 * for a key that was idle longest). Per operator replica; thread-safe.
 */
final class RateLimiter {

  private record Bucket(double tokens, Instant at) {}

  private final Clock clock;
  private final int burst;
  private final Duration refill;
  private final Map<String, Bucket> buckets;

  RateLimiter(Clock clock, int burst, Duration refill, int maxKeys) {
    this.clock = clock;
    this.burst = burst;
    this.refill = refill;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /** Takes one call for {@code key}: empty when allowed, else how long until one is. */
  synchronized Optional<Duration> acquire(String key) {
    Instant now = clock.instant();
    Bucket bucket = buckets.getOrDefault(key, new Bucket(burst, now));
    double elapsed = Math.max(0, Duration.between(bucket.at(), now).toMillis());
    double tokens = Math.min(burst, bucket.tokens() + elapsed / refill.toMillis());
    if (tokens >= 1) {
      buckets.put(key, new Bucket(tokens - 1, now));
      return Optional.empty();
    }
    buckets.put(key, new Bucket(tokens, now));
    long wait = (long) Math.ceil((1 - tokens) * refill.toMillis());
    return Optional.of(Duration.ofMillis(Math.max(1, wait)));
  }
}
