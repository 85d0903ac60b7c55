package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import io.aihandler.router.provider.ProviderTranslator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.Semaphore;

/**
 * A backend as the router uses it: its config, translator, circuit breaker and local limits.
 *
 * @param translatorProblem why no translator exists for the backend, or null
 * @param rate the requests-per-minute limit
 * @param tokens the tokens-per-minute limit
 */
public record BackendRuntime(
    Backend config,
    ProviderTranslator translator,
    String translatorProblem,
    CircuitBreaker breaker,
    Semaphore concurrency,
    RequestRate rate,
    TokenBudget tokens) {

  public String name() {
    return config.name();
  }

  /**
   * A backend's requests-per-minute limit as a bucket that holds at most one minute's requests and
   * refills continuously, so no run of requests, wherever it falls on the clock, ever exceeds the
   * limit within a minute. Fixed one-minute windows let twice the limit through across the turn of
   * a minute and reset their count under concurrent callers. Unlimited when max is 0.
   */
  public static final class RequestRate {
    /** A token bucket of one token per request: the tokens-per-minute limit's own refill rule. */
    private final TokenBudget bucket;

    /**
     * @param max requests per minute; 0 or less means unlimited
     * @param nowNanos the current {@link System#nanoTime()}
     */
    public RequestRate(int max, long nowNanos) {
      this.bucket = new TokenBudget(max, nowNanos);
    }

    /** The limit; 0 when unlimited. */
    public int max() {
      return (int) bucket.perMinute();
    }

    /** Takes one request from the bucket; false, taking nothing, when less than one is left. */
    public boolean tryTake(long nowNanos) {
      return bucket.tryTake(1, nowNanos);
    }
  }
}
