#!/usr/bin/env python3
"""Turns one run's raw.tsv and facts.tsv (written by bench/run.sh) into Markdown tables.

Every added latency is the target's percentile minus the direct call's percentile of the same
kind and mode in the same run; every ratio compares two targets of the same run.
"""
import csv
import sys
from pathlib import Path

results = Path(sys.argv[1])
rows = list(csv.DictReader(open(results / "raw.tsv"), delimiter="\t"))
facts = {r["key"]: r["value"] for r in csv.DictReader(open(results / "facts.tsv"), delimiter="\t")}
clk_tck = int(facts.get("clk_tck", "100"))

LABELS = {
    "direct": "direct to the upstream",
    "nginx": "one nginx proxy hop",
    "sidecar": "sidecar, plain routing",
    "sidecar-connections": "sidecar, plain, beside 1,000 idle keep-alive connections",
    "sidecar-validated": "sidecar, detectors + schema validation",
    "sidecar-traced": "sidecar, plain, every request traced (OTLP export)",
    "sidecar-jvm-defaults": "sidecar, plain, JVM default flags",
    "portkey": "Portkey gateway",
}


def row(target, kind, mode):
    for r in rows:
        if r["target"] == target and r["kind"] == kind and r["mode"] == mode:
            return r
    return None


def rps(r):
    return int(r["requests"]) / float(r["seconds"])


def ms(us):
    return f"{us / 1000:.2f}"


def added(r, base, field):
    return int(r[field]) - int(base[field])


def cpu_us_per_request(r):
    ticks = int(r["cpu_ticks"])
    return ticks / clk_tck * 1e6 / int(r["requests"]) if int(r["requests"]) else 0


def mib(kib):
    return f"{int(kib) / 1024:.0f}"


out = []
w = out.append
w(f"Run of {facts.get('date')} on {facts.get('cpu')}, {facts.get('memory')}, {facts.get('os')}; "
  f"{facts.get('jdk')}; nginx {facts.get('nginx')}; {facts.get('wrk')}; node {facts.get('node')}, "
  f"{facts.get('portkey')}. Load average before {facts.get('load_before')}, after {facts.get('load_after')}. "
  f"{facts.get('settings')}. Sidecar JVM flags: `{facts.get('sidecar_java_opts')}` (+ AOT cache when made).")
w("")

KINDS = (
    ("json", "json", "Chat completion (JSON, 657 B answer)"),
    ("sse", "sse", "Streamed chat completion (SSE, 21 events, 6.5 KB)"),
    # The upstream speaks chat completions only: a Responses call is judged against the direct
    # chat completion it turns into, so its added latency includes the translation both ways.
    ("responses", "json", "Responses API (POST /v1/responses over the JSON upstream; added = vs. the direct chat completion)"),
    ("embeddings", "embeddings", "Embeddings (one input, one 1,024-dimension vector, 9.8 KB answer)"),
)
for kind, base_kind, title in KINDS:
    direct_rate, direct_sat = row("direct", base_kind, "rate"), row("direct", base_kind, "saturation")
    if not direct_rate:
        continue
    w(f"### {title}")
    w("")
    w("| target | rate req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | saturated req/s | sat. p50 ms | sat. p99 ms | added sat. p50 ms | CPU µs/req | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for target in LABELS:
        r, s = row(target, kind, "rate"), row(target, kind, "saturation")
        if not r or not s:
            continue
        is_direct = target == "direct"
        w("| " + " | ".join([
            LABELS[target],
            f"{rps(r):.0f}", ms(int(r["p50_us"])), ms(int(r["p99_us"])),
            "–" if is_direct else ms(added(r, direct_rate, "p50_us")),
            "–" if is_direct else ms(added(r, direct_rate, "p99_us")),
            f"{rps(s):.0f}", ms(int(s["p50_us"])), ms(int(s["p99_us"])),
            "–" if is_direct else ms(added(s, direct_sat, "p50_us")),
            f"{cpu_us_per_request(s):.0f}" + (" (upstream)" if is_direct else ""),
            str(int(r["errors"]) + int(s["errors"])),
        ]) + " |")
    w("")

w("### Footprint and start-up")
w("")
w("| process | ready ms | RSS idle MiB | RSS under load MiB (largest sample / high-water mark) |")
w("| --- | ---: | ---: | ---: |")
for target in ("sidecar", "sidecar-connections", "sidecar-validated", "sidecar-traced", "sidecar-jvm-defaults", "nginx", "portkey"):
    idle = facts.get(f"rss_idle_kib_{target}")
    if idle is None:
        continue
    load = facts.get(f"rss_load_kib_{target}", "0")
    hwm = facts.get(f"rss_hwm_kib_{target}")
    label = "nginx proxy (master + worker)" if target == "nginx" else LABELS[target]
    w(f"| {label} | {facts.get(f'ready_ms_{target}', '–')} | {mib(idle)} | {mib(load)}" + (f" / {mib(hwm)}" if hwm else "") + " |")
w("")
starts = [(k[len("ready_ms_"):], v) for k, v in facts.items() if k in ("ready_ms_jvm-defaults", "ready_ms_tuned", "ready_ms_launcher-cds", "ready_ms_tuned-aot", "ready_ms_tuned-traced")]
if starts:
    w("Sidecar cold start to `/readyz` 200, median: " + ", ".join(f"{name} {v} ms" for name, v in starts) + ".")
    w("")

failures = [(k[len("failed_"):], v) for k, v in facts.items() if k.startswith("failed_")]
for name, answer in failures:
    w(f"Not measured: {name.replace('_', ' ')}; its check request got `{answer}`.")
    w("")

# Targets.
w("### Targets")
w("")
w("| target | measured | met |")
w("| --- | --- | --- |")


def verdict(ok):
    return "yes" if ok else "**no**"


dr, nr = row("direct", "json", "rate"), row("nginx", "json", "rate")
ns = row("nginx", "json", "saturation")
ps = row("portkey", "json", "saturation")
for target in ("sidecar", "sidecar-validated", "sidecar-traced"):
    r, s = row(target, "json", "rate"), row(target, "json", "saturation")
    if not (r and dr and nr):
        continue
    label = LABELS[target]
    a50, n50 = added(r, dr, "p50_us"), added(nr, dr, "p50_us")
    ratio = a50 / n50 if n50 > 0 else float("inf")
    w(f"| {label}: added p50 ≤ 2.5× the nginx hop's at {rps(r):.0f} req/s | {ms(a50)} ms vs {ms(n50)} ms ({ratio:.1f}×) | {verdict(a50 <= 2.5 * n50)} |")
    a99 = added(r, dr, "p99_us")
    w(f"| {label}: added p99 < 1 ms at {rps(r):.0f} req/s (load before the run {facts.get('load_before')}) | {ms(a99)} ms (p99 {ms(int(r['p99_us']))} ms, direct {ms(int(dr['p99_us']))} ms) | {verdict(a99 < 1000)} |")
    if ps and s:
        t = rps(s) / rps(ps)
        w(f"| {label}: ≥ 10× Portkey's throughput | {rps(s):.0f} vs {rps(ps):.0f} req/s ({t:.1f}×) | {verdict(t >= 10)} |")
    if ns and s:
        w(f"| {label}: throughput relative to the nginx hop (no target) | {rps(s):.0f} vs {rps(ns):.0f} req/s ({rps(s) / rps(ns):.2f}×) | – |")
    load = facts.get(f"rss_load_kib_{target}")
    hwm = facts.get(f"rss_hwm_kib_{target}")
    if load:
        worst = max(int(load), int(hwm or 0))
        w(f"| {label}: RSS ≤ 96 MiB under saturation (high-water mark) | {mib(worst)} MiB | {verdict(worst <= 96 * 1024)} |")
held = facts.get("rss_hwm_kib_sidecar-connections")
if held:
    hc = row("sidecar-connections", "json", "saturation")
    hr = row("sidecar-connections", "json", "rate")
    errors = (int(hc["errors"]) + int(hr["errors"])) if hc and hr else None
    closed = facts.get("idle_connections_closed_sidecar-connections", "?")
    worst = max(int(held), int(facts.get("rss_load_kib_sidecar-connections", "0")))
    ok = worst <= 128 * 1024 and errors == 0 and closed.strip() == "0"
    w(f"| sidecar: RSS ≤ 128 MiB with 1,000 idle keep-alive connections plus load, 0 errors | {mib(worst)} MiB, {errors} errors, {closed.strip()} idle connections closed | {verdict(ok)} |")
# The cold-start median of what the launcher ships (its class-data sharing archive), with the
# ahead-of-time cache beside it; else the tuned flags alone, else the plain target's one start.
ready = facts.get("ready_ms_launcher-cds") or facts.get("ready_ms_tuned") or facts.get("ready_ms_sidecar")
if ready:
    aot = facts.get("ready_ms_tuned-aot")
    beside = f" (ahead-of-time cache: {aot} ms)" if aot else ""
    w(f"| sidecar: ready ≤ 500 ms (median cold start, the launcher's flags and archive) | {ready} ms{beside} | {verdict(int(ready) <= 500)} |")
# CPU per request against one nginx hop's, each kind against its own baseline (Responses against
# the chat completion it becomes); the limits are the sidecar's targets where it has one.
CPU_TARGETS = (
    ("sidecar", "json", "json", 4),
    ("sidecar-validated", "json", "json", 6),
    ("sidecar", "sse", "sse", 8),
    ("sidecar", "responses", "json", None),
    ("sidecar", "embeddings", "embeddings", None),
)
for target, kind, base_kind, limit in CPU_TARGETS:
    s, n = row(target, kind, "saturation"), row("nginx", base_kind, "saturation")
    if not (s and n) or cpu_us_per_request(n) == 0:
        continue
    mine, hop = cpu_us_per_request(s), cpu_us_per_request(n)
    ratio = mine / hop
    goal = f"≤ {limit}× the nginx hop's" if limit else "vs the nginx hop's (no target)"
    met = verdict(ratio <= limit) if limit else "–"
    w(f"| {LABELS[target]}, {kind}: CPU per request {goal} | {mine:.0f} µs vs {hop:.0f} µs ({ratio:.1f}×) | {met} |")
print("\n".join(out))
