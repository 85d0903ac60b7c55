package io.aihandler.operator.webhook;

import io.aihandler.api.v1alpha1.SidecarJit;
import io.aihandler.api.v1alpha1.SidecarSpec;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.router.config.SidecarHeap;
import io.aihandler.router.config.SidecarSettings;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The heap an injected sidecar starts with and the memory its container asks for. Pure.
 *
 * <p>A sidecar's resident memory is the JVM's own (metaspace, the class archive, compiled code, the
 * JDK's libraries), about 85 MiB whatever the load, plus a heap the serial collector fills to its
 * ceiling under load. So the heap is not a share of the container's limit: it is what the
 * Workflow's router document needs ({@link SidecarHeap}, the figures the sidecar itself checks at
 * start), or, when the Workflow asks for more memory for the container, what its request leaves
 * beside the JVM's own memory: resident memory under load is then about the request, which is what
 * the scheduler reserves. The limit is only the cap. The Workflow sets none of the sizes the need
 * depends on (body, answer and connection limits), so its document has the defaults; only shadow
 * evaluation adds a share.
 *
 * @param maxHeapMib the sidecar's {@code -Xmx}, in MiB
 * @param resources the container's resources
 */
public record SidecarMemory(long maxHeapMib, ResourceRequirements resources) {

  /**
   * Resident memory beside the heap, in MiB, with C1 only: 81-92 MiB measured under saturation with
   * the image's flags (plain, with 1,000 connections, with tracing on; docs/benchmarks.md), and a
   * margin.
   */
  public static final long OUTSIDE_HEAP_MIB = 96;

  /**
   * The same with C2 as well ({@code jit: full}): its compiled code, method profiles and compiler
   * arenas add about 45 MiB (126-134 MiB measured beside a 32 MiB heap), and a margin.
   */
  public static final long OUTSIDE_HEAP_FULL_JIT_MIB = 144;

  private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024);

  /** A memory quantity's MiB are counted up to here: far beyond any node, far below overflow. */
  private static final long MAX_QUANTITY_MIB = 1L << 40;

  /**
   * The memory of the sidecar injected for this Workflow: the Workflow's own resources when it sets
   * them (the heap then what their memory request leaves, and at least the need), else {@code
   * defaults} with a memory request of at least the heap plus the JVM's own memory.
   */
  public static SidecarMemory of(Workflow workflow, ResourceRequirements defaults) {
    long planned = SidecarHeap.maxHeapMib(needed(workflow));
    SidecarSpec sidecar = workflow.getSpec().sidecar();
    ResourceRequirements given = sidecar == null ? null : sidecar.resources();
    long outsideHeap = outsideHeapMib(sidecar);
    if (given != null) {
      // Kubernetes takes a container's memory request from its limit when only the limit is set.
      Optional<Long> request = mib(given.getRequests()).or(() -> mib(given.getLimits()));
      return new SidecarMemory(
          request.map(r -> Math.max(planned, r - outsideHeap)).orElse(planned), given);
    }
    long request = planned + outsideHeap;
    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder(defaults);
    if (mib(defaults.getRequests()).orElse(0L) < request) {
      resources.addToRequests("memory", new Quantity(request + "Mi"));
    }
    if (mib(defaults.getLimits()).map(l -> l < request).orElse(false)) {
      resources.addToLimits("memory", new Quantity(request + "Mi"));
    }
    return new SidecarMemory(planned, resources.build());
  }

  /**
   * Why the Workflow's memory limit for the sidecar is too small to hold the heap its document
   * needs beside the JVM's own memory (the container would be killed under load); empty when it is
   * not, or when the Workflow sets no limit.
   */
  public static Optional<String> limitProblem(Workflow workflow) {
    SidecarSpec sidecar = workflow.getSpec() == null ? null : workflow.getSpec().sidecar();
    if (sidecar == null || sidecar.resources() == null) {
      return Optional.empty();
    }
    long outsideHeap = outsideHeapMib(sidecar);
    long heap = SidecarHeap.maxHeapMib(needed(workflow));
    return mib(sidecar.resources().getLimits())
        .filter(limit -> limit < heap + outsideHeap)
        .map(
            limit ->
                "sidecar.resources.limits.memory "
                    + limit
                    + "Mi is below the "
                    + (heap + outsideHeap)
                    + "Mi the sidecar needs: a "
                    + heap
                    + "Mi heap for its router document and "
                    + outsideHeap
                    + "Mi for the JVM itself"
                    + (sidecar.jit() == SidecarJit.FULL ? " with C2 (jit: full)" : ""));
  }

  /** The JVM's own resident memory beside the heap, by the compilers the sidecar runs. */
  private static long outsideHeapMib(SidecarSpec sidecar) {
    return sidecar != null && sidecar.jit() == SidecarJit.FULL
        ? OUTSIDE_HEAP_FULL_JIT_MIB
        : OUTSIDE_HEAP_MIB;
  }

  /** The usable heap the Workflow's router document needs. */
  static long needed(Workflow workflow) {
    SidecarSettings settings = SidecarSettings.DEFAULTS;
    List<Task> tasks = Optional.ofNullable(workflow.getSpec().tasks()).orElse(List.of());
    boolean evaluates =
        tasks.stream()
            .anyMatch(
                t ->
                    t.evaluate() != null
                        && t.evaluate().candidates() != null
                        && !t.evaluate().candidates().isEmpty());
    return SidecarHeap.needed(settings, evaluates ? settings.shadowMemoryBytes() : 0);
  }

  /**
   * The memory of a request or limit map, in whole MiB (rounded down, and at most {@link
   * #MAX_QUANTITY_MIB}, so that no quantity the API server admits overflows the arithmetic); empty
   * when it has none.
   */
  private static Optional<Long> mib(Map<String, Quantity> quantities) {
    return Optional.ofNullable(quantities)
        .map(q -> q.get("memory"))
        .map(
            q ->
                Quantity.getAmountInBytes(q)
                    .divideToIntegralValue(MIB)
                    .min(BigDecimal.valueOf(MAX_QUANTITY_MIB))
                    .longValue());
  }
}
