package io.aihandler.router.config;

/**
 * The heap a sidecar needs for a document: the sizes behind the sidecar's heap plan, in the config
 * contract so that the sidecar (which refuses at start a heap its settings cannot fit) and the
 * operator (which gives each injected sidecar the heap its Workflow's document needs) compute the
 * same figure. Everything that grows with traffic is bounded, so the need is
 *
 * <pre>
 *   baseline + (maxConnections + management) × per connection + responses store
 *     + shadow calls (when a task evaluates) + the largest request
 *   largest request = maxRequestBytes × {@value #BYTES_PER_BODY_BYTE}
 *                     + maxUpstreamResponseBytes × {@value #BYTES_PER_ANSWER_BYTE}
 * </pre>
 *
 * and what a heap holds beyond it is shared by the many small requests of normal traffic.
 */
public final class SidecarHeap {

  private static final long MIB = 1024L * 1024;

  /** The live heap of an idle sidecar with its config, metrics and caches, plus GC headroom. */
  public static final long BASELINE = 14 * MIB;

  /**
   * Heap one open connection holds when idle, after the requests it served. Measured with the
   * launcher's flags, live heap per idle keep-alive connection (1,000 of them, {@code jcmd
   * GC.class_histogram}): 27 KiB after a chat completion, 32 KiB after a streamed one, 14 KiB after
   * only a health check. Most of it is the virtual thread's stack: a parked virtual thread keeps
   * the stack chunk its deepest wait needed (the upstream call's, 13-17 KiB), not the idle read's 5
   * KiB. Then Helidon's fixed 8 KiB read buffer and about 2 KiB of socket, connection and thread
   * objects.
   */
  public static final long PER_CONNECTION = 32L * 1024;

  /** Connections the management listener keeps at once: probes and scrapes need a few. */
  public static final int MANAGEMENT_CONNECTIONS = 32;

  /**
   * The most one request body byte may cost: two bytes of raw body (the body and the request sent
   * upstream) and four of the JSON tree parsed from it.
   */
  public static final int BYTES_PER_BODY_BYTE = 6;

  /** Heap one byte of a whole upstream answer takes while served: its bytes, tree and copy. */
  public static final int BYTES_PER_ANSWER_BYTE = 4;

  /**
   * Heap outside the usable heap a serial-collector JVM keeps for itself: {@code -Xmx} less {@link
   * Runtime#maxMemory()}, one survivor space, a thirtieth of the heap with the default ratios.
   */
  private static final long SURVIVOR_SHARE = 30;

  /** The smallest heap given: the launcher's, measured at saturation (docs/benchmarks.md). */
  public static final long MIN_MAX_HEAP = 32 * MIB;

  private SidecarHeap() {}

  /** What the connections may take at most. */
  public static long connections(SidecarSettings s) {
    return ((long) s.maxConnections() + MANAGEMENT_CONNECTIONS) * PER_CONNECTION;
  }

  /** What one request of the largest size allowed takes while served. */
  public static long largestRequest(SidecarSettings s) {
    return s.maxRequestBytes() * BYTES_PER_BODY_BYTE
        + s.maxUpstreamResponseBytes() * BYTES_PER_ANSWER_BYTE;
  }

  /**
   * The heap reserved for shadow calls: {@code sidecar.shadowMemoryBytes} when a task evaluates
   * candidates, else nothing.
   */
  public static long shadowReservation(RouterConfig c) {
    return evaluates(c) ? c.sidecar().shadowMemoryBytes() : 0;
  }

  /** Whether a task of the document mirrors calls to candidates. */
  public static boolean evaluates(RouterConfig c) {
    return c.tasks().stream()
        .anyMatch(t -> t.evaluate() != null && !t.evaluate().candidates().isEmpty());
  }

  /**
   * The usable heap ({@link Runtime#maxMemory()}) these settings need: one request of the largest
   * size beside the fixed shares.
   */
  public static long needed(SidecarSettings s, long shadows) {
    return BASELINE + connections(s) + s.responsesStoreBytes() + shadows + largestRequest(s);
  }

  /** The usable heap the document needs. */
  public static long needed(RouterConfig c) {
    return needed(c.sidecar(), shadowReservation(c));
  }

  /**
   * The {@code -Xmx} in MiB that gives a serial-collector JVM at least {@code usable} bytes of
   * usable heap, and never less than {@link #MIN_MAX_HEAP}: what the operator passes to the
   * sidecars it injects.
   */
  public static long maxHeapMib(long usable) {
    long withSurvivor = Math.ceilDiv(usable * SURVIVOR_SHARE, SURVIVOR_SHARE - 1);
    // A whole MiB more than the survivor space: the JVM aligns the generations' sizes.
    long mib = Math.ceilDiv(withSurvivor, MIB) + 1;
    return Math.max(MIN_MAX_HEAP / MIB, mib);
  }
}
