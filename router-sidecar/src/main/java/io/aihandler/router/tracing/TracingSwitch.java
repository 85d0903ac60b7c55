package io.aihandler.router.tracing;

import io.aihandler.router.config.Tracing;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;

/**
 * The tracing the current config asks for: off (no SDK loaded) until {@code sidecar.tracing} names
 * an endpoint, rebuilt when a reload changes the settings. The replaced tracer flushes what it
 * holds on a thread of its own, so a reload never waits on a collector.
 */
public final class TracingSwitch implements RequestTracing {

  private final ObjLongConsumer<String> counts;
  private Tracing settings = Tracing.OFF;
  private volatile RequestTracing current = RequestTracing.OFF;

  /**
   * @param counts told how many spans were {@code exported}, {@code dropped} or {@code failed}
   */
  public TracingSwitch(ObjLongConsumer<String> counts) {
    this.counts = counts;
  }

  /** Traces as {@code next} says from now on. */
  public synchronized void apply(Tracing next) {
    if (next.equals(settings)) {
      return;
    }
    RequestTracing old = current;
    current = next.enabled() ? OtelTracing.start(next, counts) : RequestTracing.OFF;
    settings = next;
    if (old != RequestTracing.OFF) {
      Thread.ofVirtual().name("trace-flush").start(old::close);
    }
  }

  /** Whether requests are traced now. */
  public boolean enabled() {
    return current != RequestTracing.OFF;
  }

  @Override
  public RequestSpan start(String endpoint, Function<String, String> header) {
    return current.start(endpoint, header);
  }

  @Override
  public synchronized void close() {
    current.close();
    current = RequestTracing.OFF;
    settings = Tracing.OFF;
  }
}
