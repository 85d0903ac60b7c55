package io.aihandler.router.shadow;

import io.aihandler.router.ApiException;
import io.aihandler.router.runtime.MemoryCharge;
import io.aihandler.router.server.MemoryBudget;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs shadow calls within fixed bounds: {@code concurrency} threads of their own (never a client's
 * request slot), a queue of {@code queue} calls waiting for one, and a heap budget every waiting
 * and running call charges (its request and the primary answer up front, the candidate's answer as
 * it arrives). A call that finds any of them full is refused at once, never waited for.
 */
final class ShadowExecutor implements AutoCloseable {

  private final ThreadPoolExecutor pool;
  private final MemoryBudget memory;

  ShadowExecutor(int concurrency, int queue, long memoryBytes) {
    this.memory = new MemoryBudget(memoryBytes);
    if (concurrency <= 0) {
      this.pool = null;
      return;
    }
    BlockingQueue<Runnable> waiting =
        queue > 0 ? new ArrayBlockingQueue<>(queue) : new SynchronousQueue<>();
    this.pool =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            30,
            TimeUnit.SECONDS,
            waiting,
            Thread.ofVirtual().name("shadow-", 0).factory(),
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * A shadow call's share of the shadow heap: what it reserved when queued, and what its upstream
   * answers charge while it runs. A charge that does not fit throws the 503 {@code overloaded} the
   * router's calls throw, so the call ends and is counted as dropped, not as the candidate's
   * failure.
   */
  static final class Charge implements MemoryCharge {
    static final String OVERLOADED = "overloaded";

    private final MemoryBudget budget;
    private long held;

    private Charge(MemoryBudget budget, long held) {
      this.budget = budget;
      this.held = held;
    }

    @Override
    public synchronized void charge(long bytes) {
      if (!budget.tryReserve(bytes)) {
        throw new ApiException(
            503, "server_error", OVERLOADED, "the heap for shadow calls is taken; call dropped");
      }
      held += bytes;
    }

    synchronized void release() {
      budget.release(held);
      held = 0;
    }
  }

  /**
   * Queues a call that holds {@code bytes} while it waits and runs.
   *
   * @return false, with nothing held, when the threads and queue or the heap budget are full
   */
  boolean offer(long bytes, Consumer<Charge> call) {
    if (pool == null || pool.isShutdown() || !memory.tryReserve(bytes)) {
      return false;
    }
    Charge charge = new Charge(memory, bytes);
    try {
      pool.execute(
          () -> {
            try {
              call.accept(charge);
            } finally {
              charge.release();
            }
          });
      return true;
    } catch (RejectedExecutionException busy) {
      charge.release();
      return false;
    }
  }

  /** Heap the waiting and running calls hold now. */
  long heldBytes() {
    return memory.used();
  }

  /** Calls running or waiting now. */
  int pending() {
    return pool == null ? 0 : pool.getActiveCount() + pool.getQueue().size();
  }

  /** Drops the waiting calls and interrupts the running ones: shadows never delay a shutdown. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
      try {
        pool.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
