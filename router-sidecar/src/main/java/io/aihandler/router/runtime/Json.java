package io.aihandler.router.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JSON factories and mappers of the sidecar's request path, all drawing Jackson's buffers from
 * one small pool that every thread shares.
 *
 * <p>Jackson's default keeps a set of buffers per thread, for as long as the thread lives. The
 * server runs every request of a client connection on that connection's virtual thread, which lives
 * as long as the connection: with the default, each connection that ever parsed or wrote JSON kept
 * its own buffers (about 14 KiB) while it sat idle, a third of what an idle keep-alive connection
 * held. A shared pool keeps only as many sets as are in use at once, and a bounded one at most
 * {@link #POOLED_BUFFER_SETS} of them whatever the peak was. A set is in use only while a parser or
 * generator runs, mostly over bytes already in memory (a stream's events are written straight to
 * the response, and may wait for the client there), so few are in use together.
 *
 * <p>Every factory and mapper a request's thread uses should come from here: one that keeps
 * Jackson's default brings the per-connection buffers back for the connections it runs on.
 */
public final class Json {

  /** Buffer sets kept between uses; more in use at once are made and dropped after. */
  public static final int POOLED_BUFFER_SETS = 16;

  private static final RecyclerPool<BufferRecycler> BUFFERS = new SharedPool(POOLED_BUFFER_SETS);

  private Json() {}

  /** A factory builder whose factories use the shared buffers. */
  public static JsonFactoryBuilder factoryBuilder() {
    return new JsonFactoryBuilder().recyclerPool(BUFFERS);
  }

  /** A factory on the shared buffers. */
  public static JsonFactory factory() {
    return factoryBuilder().build();
  }

  /**
   * A mapper with Jackson's default settings, on a factory of its own that uses the shared buffers.
   */
  public static ObjectMapper mapper() {
    return new ObjectMapper(factory());
  }

  /**
   * Jackson's bounded pool takes a lock for every parser and generator: a stream writes each event
   * through a generator, and two carriers contending for that lock park virtual threads. This one
   * is a lock-free stack, the most recently used set on top, and keeps at most {@code max} sets.
   */
  private static final class SharedPool implements RecyclerPool<BufferRecycler> {
    private static final long serialVersionUID = 1L;

    private final transient ConcurrentLinkedDeque<BufferRecycler> free =
        new ConcurrentLinkedDeque<>();
    private final transient AtomicInteger kept = new AtomicInteger();
    private final int max;

    SharedPool(int max) {
      this.max = max;
    }

    @Override
    public BufferRecycler acquirePooled() {
      BufferRecycler r = free.pollFirst();
      if (r == null) {
        return new BufferRecycler();
      }
      kept.decrementAndGet();
      return r;
    }

    @Override
    public void releasePooled(BufferRecycler r) {
      if (kept.incrementAndGet() <= max) {
        free.offerFirst(r);
      } else {
        kept.decrementAndGet(); // full: left to the collector
      }
    }

    @Override
    public int pooledCount() {
      return kept.get();
    }
  }

  /** The pool the factories here share. */
  static RecyclerPool<BufferRecycler> buffers() {
    return BUFFERS;
  }
}
