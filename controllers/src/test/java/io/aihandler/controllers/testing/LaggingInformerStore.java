package io.aihandler.controllers.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An informer's store that can be made to lag behind the API server on command, as a real informer
 * does for a moment after every write: while held, each watch event waits before it reaches the
 * store, and with it every later event of that informer (fabric8 hands the event to the handlers
 * only after the store took it). Reads keep answering from what the store holds, so a
 * reconciliation started meanwhile sees the object as it was. Used through JOSDK's {@code
 * withItemStore} on a controller's own informer.
 *
 * <p>No wait is unbounded: a held event goes through after {@link #LONGEST_HOLD} whatever happens,
 * and counts as {@link #overdue()}, so a test that forgets to let go fails instead of hanging.
 */
public final class LaggingInformerStore<T extends HasMetadata> extends BasicItemStore<T> {

  /** The longest an event is held back. */
  public static final Duration LONGEST_HOLD = Duration.ofSeconds(30);

  private final Semaphore passes = new Semaphore(0);
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger overdue = new AtomicInteger();
  private volatile boolean holding;

  public LaggingInformerStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  /** From now on, events wait until {@link #letOneThrough()} or {@link #catchUp()}. */
  public void hold() {
    passes.drainPermits();
    holding = true;
  }

  /** Lets the oldest waiting event (or the next one) into the store; the others keep waiting. */
  public void letOneThrough() {
    passes.release();
  }

  /** Lets every waiting event through and stops holding. */
  public void catchUp() {
    holding = false;
    passes.release(Integer.MAX_VALUE / 2);
  }

  /** Events waiting now. */
  public int waiting() {
    return waiting.get();
  }

  /** Events that went through only because they had waited {@link #LONGEST_HOLD}. */
  public int overdue() {
    return overdue.get();
  }

  /** The resourceVersion the store holds for {@code namespace/name}, or null. */
  public String resourceVersion(String namespace, String name) {
    T held = get(Cache.namespaceKeyFunc(namespace, name));
    return held == null ? null : held.getMetadata().getResourceVersion();
  }

  @Override
  public T put(String key, T object) {
    if (holding) {
      waiting.incrementAndGet();
      try {
        if (!passes.tryAcquire(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
          overdue.incrementAndGet();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        waiting.decrementAndGet();
      }
    }
    return super.put(key, object);
  }
}
