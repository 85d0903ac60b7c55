package io.aihandler.router.server;

import io.aihandler.router.config.SidecarHeap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The share of the heap that request bodies and the trees parsed from them may take at once. A
 * request reserves what its body will cost before reading it (its declared length, or step by step
 * for a chunked body); when the budget is spent, the request is refused with 503 and the client
 * retries, instead of the heap running out for every request in flight.
 */
public final class MemoryBudget {

  /**
   * Heap one body byte costs as bytes: the body itself and the serialised request sent upstream.
   * Its JSON tree is charged as it is built, at what its nodes take.
   */
  public static final int RAW_BYTES_PER_BODY_BYTE = 2;

  /**
   * The largest tree a body may build, per body byte. Prose and code (long strings) make trees of
   * one to two times the body; a body of 60,000 tiny messages makes one of ten to twelve times
   * (measured), and is refused.
   */
  public static final int TREE_BYTES_PER_BODY_BYTE =
      SidecarHeap.BYTES_PER_BODY_BYTE - RAW_BYTES_PER_BODY_BYTE;

  /**
   * The most one body byte may cost in all: {@link #RAW_BYTES_PER_BODY_BYTE} and its tree. The
   * config contract's figure, which the operator sizes injected sidecars' heaps with.
   */
  public static final int BYTES_PER_BODY_BYTE = SidecarHeap.BYTES_PER_BODY_BYTE;

  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  public MemoryBudget(long capacityBytes) {
    this.capacity = capacityBytes;
  }

  /** Bytes the budget holds in all. */
  public long capacity() {
    return capacity;
  }

  /** Bytes reserved now. */
  public long used() {
    return used.get();
  }

  /** Takes {@code bytes} if they are free; false (and nothing taken) when they are not. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > capacity) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back what {@link #tryReserve} took. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }
}
