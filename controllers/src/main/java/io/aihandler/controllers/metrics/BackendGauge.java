package io.aihandler.controllers.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One gauge with a series per backend ({@code namespace}, {@code backend}), removable. */
final class BackendGauge {

  private record Series(AtomicLong value, Gauge gauge) {}

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Map<String, Series> series = new ConcurrentHashMap<>();

  BackendGauge(MeterRegistry registry, String name, String description) {
    this.registry = registry;
    this.name = name;
    this.description = description;
  }

  void set(String namespace, String backend, long value) {
    series
        .computeIfAbsent(
            namespace + "/" + backend,
            key -> {
              AtomicLong holder = new AtomicLong();
              Gauge gauge =
                  Gauge.builder(name, holder, AtomicLong::get)
                      .description(description)
                      .tag("namespace", namespace)
                      .tag("backend", backend)
                      .strongReference(true)
                      .register(registry);
              return new Series(holder, gauge);
            })
        .value()
        .set(value);
  }

  void forget(String namespace, String backend) {
    Series removed = series.remove(namespace + "/" + backend);
    if (removed != null) {
      registry.remove(removed.gauge());
    }
  }

  /** Removes every meter named {@code meterName} of one backend (its counters). */
  static void removeAll(
      MeterRegistry registry, String meterName, String namespace, String backend) {
    registry
        .find(meterName)
        .tag("namespace", namespace)
        .tag("backend", backend)
        .meters()
        .forEach(registry::remove);
  }
}
