package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import io.aihandler.router.provider.ProviderTranslator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

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

  /** Requests-per-minute limit in fixed one-minute windows; unlimited when max is 0. */
  public static final class RequestRate {
    private final int max;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong count = new AtomicLong();

    public RequestRate(int max) {
      this.max = max;
    }

    /** The limit; 0 when unlimited. */
    public int max() {
      return max;
    }

    /** Takes one request from the current minute's budget; false when it is spent. */
    public boolean tryTake(long nowMillis) {
      if (max <= 0) {
        return true;
      }
      long minute = nowMillis / 60_000;
      if (window.getAndSet(minute) != minute) {
        count.set(0);
      }
      return count.incrementAndGet() <= max;
    }
  }
}
