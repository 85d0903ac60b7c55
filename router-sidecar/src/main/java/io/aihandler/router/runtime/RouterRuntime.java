package io.aihandler.router.runtime;

import io.aihandler.router.config.Backend;
import io.aihandler.router.config.CircuitBreakerSettings;
import io.aihandler.router.config.Route;
import io.aihandler.router.config.RouteTarget;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.Task;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.provider.ProviderRegistry;
import io.aihandler.router.provider.ProviderTranslator;
import io.aihandler.router.validation.OutputValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * One immutable, ready-to-serve view of a config: translators, compiled schemas and detectors.
 * Built whole before it replaces the previous one, so a reload never leaves a half-applied config.
 */
public final class RouterRuntime {

  private final RouterConfig config;
  private final Map<String, BackendRuntime> backends = new LinkedHashMap<>();
  private final Map<String, TaskRuntime> tasks = new LinkedHashMap<>();
  private final DataPolicy dataPolicy;

  private RouterRuntime(RouterConfig config, DataPolicy dataPolicy) {
    this.config = config;
    this.dataPolicy = dataPolicy;
  }

  /**
   * Builds the runtime of a config.
   *
   * @throws IllegalArgumentException when a task's schema cannot be compiled
   */
  public static RouterRuntime build(RouterConfig config, BackendHealth health) {
    return build(config, health, null);
  }

  /**
   * Builds the runtime of a config that replaces {@code previous}: a backend whose rate limits are
   * unchanged keeps what it has spent of them, so a reload is no way around a limit.
   *
   * @param previous the runtime in use until now, or null
   * @throws IllegalArgumentException when a task's schema cannot be compiled
   */
  public static RouterRuntime build(
      RouterConfig config, BackendHealth health, RouterRuntime previous) {
    RouterRuntime rt = new RouterRuntime(config, new DataPolicy(config));
    List<String> problems = new ArrayList<>();
    for (Task t : config.tasks()) {
      OutputValidator v = null;
      if (t.output() != null) {
        try {
          v = new OutputValidator(t.output().schema());
        } catch (IllegalArgumentException e) {
          problems.add("tasks." + t.name() + ".output.schema: " + e.getMessage());
        }
      }
      rt.tasks.put(t.name(), new TaskRuntime(t, v));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    for (Backend b : config.backends()) {
      ProviderTranslator translator = null;
      String problem = null;
      try {
        translator = ProviderRegistry.translatorFor(b);
      } catch (UnsupportedOperationException e) {
        problem = e.getMessage();
      }
      int maxConcurrency =
          b.limits() != null && b.limits().maxConcurrency() != null
              ? b.limits().maxConcurrency()
              : Integer.MAX_VALUE;
      int rpm =
          b.limits() != null && b.limits().requestsPerMinute() != null
              ? b.limits().requestsPerMinute()
              : 0;
      int tpm =
          b.limits() != null && b.limits().tokensPerMinute() != null
              ? b.limits().tokensPerMinute()
              : 0;
      BackendRuntime before = previous == null ? null : previous.backend(b.name());
      BackendRuntime.RequestRate rate =
          before != null && before.rate().max() == rpm
              ? before.rate()
              : new BackendRuntime.RequestRate(rpm, System.nanoTime());
      TokenBudget tokens =
          before != null && before.tokens().perMinute() == tpm
              ? before.tokens()
              : new TokenBudget(tpm, System.nanoTime());
      rt.backends.put(
          b.name(),
          new BackendRuntime(
              b,
              translator,
              problem,
              health.breaker(b.name(), breakerSettings(config, b.name())),
              new Semaphore(maxConcurrency),
              rate,
              tokens));
    }
    return rt;
  }

  /** The settings of the first route, in document order, that names the backend. */
  private static CircuitBreakerSettings breakerSettings(RouterConfig config, String backend) {
    for (Route r : config.routes()) {
      for (RouteTarget t : r.targets()) {
        if (t.backend().equals(backend)) {
          return r.circuitBreaker();
        }
      }
    }
    return CircuitBreakerSettings.DEFAULTS;
  }

  public RouterConfig config() {
    return config;
  }

  public DataPolicy dataPolicy() {
    return dataPolicy;
  }

  public BackendRuntime backend(String name) {
    return backends.get(name);
  }

  public Map<String, BackendRuntime> backends() {
    return backends;
  }

  public TaskRuntime task(String name) {
    return tasks.get(name);
  }
}
