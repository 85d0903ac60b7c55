package io.aihandler.router.abuse;

import java.util.concurrent.atomic.AtomicLong;

/** Samples a process's resident memory every few milliseconds and keeps the largest value. */
final class PeakRss implements AutoCloseable {

  private final AtomicLong peakKib = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  PeakRss(SidecarProcess process) {
    sampler =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (running && process.alive()) {
                    peakKib.accumulateAndGet(process.rssKib(), Math::max);
                    try {
                      Thread.sleep(20);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  long peakKib() {
    return peakKib.get();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
