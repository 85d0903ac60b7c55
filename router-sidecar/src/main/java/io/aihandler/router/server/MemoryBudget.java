package io.aihandler.router.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The share of the heap that request bodies and the trees parsed from them may take at once. A
 * request reserves what its body will cost before reading it (its declared length, or step by
 * step for a chunked body); when the budget is spent, the request is refused with 503 and the
 * client retries, instead of the heap running out for every request in flight.
 */
public final class MemoryBudget {

  /**
   * Heap bytes one body byte costs at most while it is served: the body itself, its JSON tree
   * (tens of bytes of node objects per small value), the translated provider request and its
   * serialised form. Measured on bodies of many tiny messages, the worst shape the caps allow.
   */
  public static final int BYTES_PER_BODY_BYTE = 8;

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
