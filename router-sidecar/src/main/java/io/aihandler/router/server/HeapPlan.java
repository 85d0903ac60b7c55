package io.aihandler.router.server;

import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.SidecarHeap;
import io.aihandler.router.config.SidecarSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * How the sidecar's heap is shared out, and whether the settings fit in it. Everything that grows
 * with traffic is bounded, so the heap divides into:
 *
 * <pre>
 *   heap = baseline + (maxConnections + management) × per connection + responses store
 *          + shadow calls + body budget
 *   body budget ≥ maxRequestBytes × {@value MemoryBudget#BYTES_PER_BODY_BYTE}
 *                 + maxUpstreamResponseBytes × {@value #BYTES_PER_RESPONSE_BYTE}
 * </pre>
 *
 * so that at least one request of the largest size the settings allow can be served, and the many
 * small ones of normal traffic share the rest. Settings that cannot fit are refused at load with
 * the numbers, instead of the heap running out under the first large request.
 *
 * @param heap the JVM's maximum heap
 * @param connections what the connections may take at most
 * @param responsesStore what stored responses may take at most ({@code
 *     sidecar.responsesStoreBytes}): a fixed share, so a full store cannot starve requests
 * @param shadows what shadow-evaluation calls may hold at most ({@code sidecar.shadowMemoryBytes}
 *     when a task evaluates candidates, else nothing): a fixed share too, so shadows never take a
 *     client's memory
 * @param bodies the {@link MemoryBudget} for request bodies
 */
public record HeapPlan(
    long heap, long connections, long responsesStore, long shadows, long bodies) {

  /** The live heap of an idle sidecar with its config, metrics and caches, plus GC headroom. */
  public static final long BASELINE = SidecarHeap.BASELINE;

  /** Heap one open connection holds when idle ({@link SidecarHeap#PER_CONNECTION}). */
  public static final long PER_CONNECTION = SidecarHeap.PER_CONNECTION;

  /** Heap one byte of a whole upstream answer costs: its bytes, its tree and the client's copy. */
  public static final int BYTES_PER_RESPONSE_BYTE = SidecarHeap.BYTES_PER_ANSWER_BYTE;

  /**
   * The plan for these settings on a heap of {@code maxHeap} bytes, for a document without shadow
   * evaluation.
   */
  public static HeapPlan of(SidecarSettings s, long maxHeap) {
    return of(s, 0, maxHeap);
  }

  /** The plan for a document on a heap of {@code maxHeap} bytes. */
  public static HeapPlan of(RouterConfig c, long maxHeap) {
    return of(c.sidecar(), shadowReservation(c), maxHeap);
  }

  /**
   * The heap reserved for shadow calls: {@code sidecar.shadowMemoryBytes} when a task evaluates
   * candidates. A sidecar started without evaluation reserves none, and drops the shadow calls a
   * later reload asks for as {@code busy} until it restarts.
   */
  public static long shadowReservation(RouterConfig c) {
    return SidecarHeap.shadowReservation(c);
  }

  private static HeapPlan of(SidecarSettings s, long shadows, long maxHeap) {
    long connections = SidecarHeap.connections(s);
    long store = s.responsesStoreBytes();
    long bodies = Math.max(0, maxHeap - BASELINE - connections - store - shadows);
    return new HeapPlan(maxHeap, connections, store, shadows, bodies);
  }

  /** What one request of the largest size allowed takes while served. */
  public static long largestRequest(SidecarSettings s) {
    return SidecarHeap.largestRequest(s);
  }

  /** Why the settings do not fit this heap; empty when they do. */
  public List<String> problems(SidecarSettings s) {
    List<String> problems = new ArrayList<>();
    long needed = largestRequest(s);
    if (needed > bodies) {
      problems.add(
          "sidecar: a request of maxRequestBytes "
              + s.maxRequestBytes()
              + " with an answer of"
              + " maxUpstreamResponseBytes "
              + s.maxUpstreamResponseBytes()
              + " needs "
              + mib(needed)
              + " of heap, but this heap of "
              + mib(heap)
              + " leaves "
              + mib(bodies)
              + " after "
              + mib(BASELINE)
              + " of baseline, "
              + mib(connections)
              + " for maxConnections "
              + s.maxConnections()
              + " and "
              + mib(responsesStore)
              + " for responsesStoreBytes and "
              + mib(shadows)
              + " for shadowMemoryBytes;"
              + " raise the heap (-Xmx, JAVA_OPTS) or lower those settings");
    }
    return problems;
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
