#!/usr/bin/env python3
"""Summarises an async-profiler collapsed-stack file of the sidecar (see bench/profile.sh).

Prints, for the samples taken: the share of each component by the frame the sample was taken in
(self time: our code, Jackson, Helidon's server and client, Micrometer, the JDK, the JVM's
collector and compilers, the kernel), the hottest leaf frames, and the inclusive share of the
sidecar's own methods (a sample counts once for every one of our methods on its stack), which is
where a change to our code can save time.
"""
import collections
import sys

COMPONENTS = [
    ("io.aihandler.", "sidecar (io.aihandler)"),
    ("com.fasterxml.jackson.", "Jackson"),
    ("com.networknt.", "JSON Schema validator"),
    ("io.helidon.webserver.", "Helidon webserver"),
    ("io.helidon.webclient.", "Helidon webclient"),
    ("io.helidon.", "Helidon common/http"),
    ("io.micrometer.", "Micrometer"),
    ("io.prometheus.", "Micrometer"),
    ("io.github.resilience4j.", "Resilience4j"),
    ("io.opentelemetry.", "OpenTelemetry"),
    ("java.", "JDK library"),
    ("javax.", "JDK library"),
    ("jdk.", "JDK library"),
    ("sun.", "JDK library"),
]


def component(stack):
    """The component a sample is charged to, from its leaf frame (and, for the JVM, its thread)."""
    leaf = stack[-1]
    joined = ";".join(stack)
    if leaf.endswith("_[k]"):
        return "kernel (system calls, network)"
    if any(m in joined for m in ("GCTaskThread", "VM_GenCollect", "SerialHeap", "DefNewGeneration",
                                 "GenCollectedHeap", "CollectedHeap", "MarkSweep", "SerialFullGC")):
        return "JVM: garbage collection"
    if any(m in joined for m in ("CompileBroker", "C2Compiler", "C1Compiler", "Compilation::",
                                 "Compile::", "CompilerThread")):
        return "JVM: JIT compilers"
    name = leaf.replace("/", ".")
    for prefix, label in COMPONENTS:
        if name.startswith(prefix):
            return label
    if "Interpreter" in leaf or leaf.startswith("Runtime") or "::" in leaf or leaf.startswith("JVM_"):
        return "JVM: runtime (interpreter, stubs, locks, allocation)"
    return "native (libc, other)"


def main():
    path, kind, event, requests, cpu_us, opts = sys.argv[1:7]
    total = 0
    comps = collections.Counter()
    leaves = collections.Counter()
    ours = collections.Counter()
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        frames, _, count = line.rpartition(" ")
        n = int(count)
        stack = frames.split(";")
        total += n
        comps[component(stack)] += n
        leaves[stack[-1].replace("/", ".")] += n
        seen = set()
        for f in stack:
            f = f.replace("/", ".")
            if f.startswith("io.aihandler.") and f not in seen:
                seen.add(f)
                ours[f] += n
    unit = "samples" if event != "alloc" else "allocation samples"
    print(f"profile of the {kind} path, event {event}: {total} {unit}")
    print(f"requests served while profiled: {requests}; CPU per request {cpu_us} us (profiler on)")
    print(f"sidecar JVM flags: {opts}")
    print()
    print("by component (self):")
    for name, n in comps.most_common():
        print(f"  {100.0 * n / total:5.1f}%  {name}")
    print()
    print("hottest frames (self):")
    for name, n in leaves.most_common(25):
        print(f"  {100.0 * n / total:5.1f}%  {name}")
    print()
    print("the sidecar's own methods (inclusive):")
    for name, n in ours.most_common(40):
        print(f"  {100.0 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
