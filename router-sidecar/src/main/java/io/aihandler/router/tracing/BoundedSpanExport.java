package io.aihandler.router.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ObjLongConsumer;

/**
 * Hands finished spans to the exporter off the request path: a request thread only offers the span
 * to a bounded queue (a full queue drops it, counted as {@code dropped}); one background thread
 * sends batches every second, or as soon as a batch is full, each export bounded by the export
 * timeout and counted {@code exported} or {@code failed}. A slow or dead collector costs at most
 * the queue's memory and never a request's time.
 *
 * <p>Like the SDK's batch processor, but it counts every span it drops or fails to export, which
 * the sidecar's metrics report.
 */
final class BoundedSpanExport implements SpanProcessor {

  /** Spans per export call (the OTLP default batch size). */
  static final int BATCH = 512;

  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final SpanExporter exporter;
  private final ArrayBlockingQueue<SpanData> queue;
  private final Duration timeout;
  private final ObjLongConsumer<String> counts;
  private final ReentrantLock exporting = new ReentrantLock();
  private final Thread worker;
  private volatile boolean stopping;

  /**
   * @param counts told how many spans were {@code exported}, {@code dropped} or {@code failed}
   */
  BoundedSpanExport(
      SpanExporter exporter, int maxQueue, Duration timeout, ObjLongConsumer<String> counts) {
    this.exporter = exporter;
    this.queue = new ArrayBlockingQueue<>(maxQueue);
    this.timeout = timeout;
    this.counts = counts;
    this.worker = Thread.ofPlatform().daemon().name("trace-export").unstarted(this::run);
    worker.start();
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (!span.getSpanContext().isSampled()) {
      return;
    }
    if (stopping || !queue.offer(span.toSpanData())) {
      counts.accept("dropped", 1);
    } else if (queue.size() >= BATCH) {
      LockSupport.unpark(worker);
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  private void run() {
    while (!stopping) {
      LockSupport.parkNanos(this, INTERVAL_NANOS);
      exportQueued();
    }
  }

  /** Exports everything queued, a batch at a time; true when every batch went through. */
  private boolean exportQueued() {
    exporting.lock();
    try {
      boolean all = true;
      List<SpanData> batch = new ArrayList<>(Math.min(BATCH, Math.max(1, queue.size())));
      while (queue.drainTo(batch, BATCH) > 0) {
        CompletableResultCode result;
        try {
          result = exporter.export(batch);
          result.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
          result = CompletableResultCode.ofFailure();
        }
        boolean ok = result.isDone() && result.isSuccess();
        counts.accept(ok ? "exported" : "failed", batch.size());
        all &= ok;
        batch.clear();
      }
      return all;
    } finally {
      exporting.unlock();
    }
  }

  @Override
  public CompletableResultCode forceFlush() {
    return exportQueued() ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  @Override
  public CompletableResultCode shutdown() {
    stopping = true;
    LockSupport.unpark(worker);
    try {
      worker.join(timeout.toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exportQueued();
    return exporter.shutdown().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
