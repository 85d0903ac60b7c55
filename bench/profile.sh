#!/usr/bin/env bash
# Profiles the router sidecar's request path: where its CPU time (or its allocations) go while wrk
# saturates one endpoint, through the same static upstream and configs as bench/run.sh. Uses
# async-profiler (from Maven Central), attached after the warm-up so start-up and JIT warm-up are
# not in the profile. See docs/benchmarks.md ("Where the time goes").
#
# Usage: bench/profile.sh [json|sse|validated|responses|embeddings]   (default json)
# Settings (environment):
#   PROFILE_EVENT=itimer      itimer (CPU time, works without perf events, as on these VMs) or alloc
#   PROFILE_SECONDS=10        seconds profiled under load, after PROFILE_WARMUP seconds of load
#   PROFILE_WARMUP=8
#   PROFILE_CONNECTIONS=16    wrk connections
#   SIDECAR_JAVA_OPTS=...     the sidecar's JVM flags (default: bench/run.sh's tuned flags)
#   BENCH_SKIP_BUILD=1        use the sidecar jar already in router-sidecar/target
#   PROFILE_JAR=...           profile this jar instead (implies BENCH_SKIP_BUILD)
# Output: bench/work/profile/<path>-<event>.collapsed (folded stacks, for any flame graph tool),
# .html (async-profiler's flame graph), and a summary printed and written to .txt.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
OUT=$WORK/profile
PATH_KIND=${1:-json}
EVENT=${PROFILE_EVENT:-itimer}
SECONDS_PROFILED=${PROFILE_SECONDS:-10}
WARMUP=${PROFILE_WARMUP:-8}
CONNECTIONS=${PROFILE_CONNECTIONS:-16}
ASYNC_PROFILER_VERSION=4.2
UPSTREAM_PORT=${PROFILE_UPSTREAM_PORT:-18281}
SIDECAR_PORT=${PROFILE_SIDECAR_PORT:-18283}

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JCMD=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
TUNED=$(sed -n 's/^SIDECAR_TUNED_OPTS="\(.*\)"$/\1/p' "$BENCH/run.sh")
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-$TUNED}

die() { printf 'profile: %s\n' "$*" >&2; exit 1; }
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

case $PATH_KIND in
  json) config=plain; url=/v1/chat/completions; model=chat; stream=false ;;
  sse) config=plain; url=/v1/chat/completions; model=chat-stream; stream=true ;;
  validated) config=validated; url=/v1/chat/completions; model=classify-ticket; stream=false ;;
  responses) config=plain; url=/v1/responses ;;
  embeddings) config=plain; url=/v1/embeddings ;;
  *) die "unknown path $PATH_KIND (json, sse, validated, responses, embeddings)" ;;
esac
command -v nginx >/dev/null && command -v wrk >/dev/null || die "needs nginx and wrk (bench/run.sh installs them)"

mkdir -p "$OUT" "$WORK/tmp"
# async-profiler's native library, from its Maven Central artifact.
lib=$OUT/async-profiler-$ASYNC_PROFILER_VERSION/linux-x64/libasyncProfiler.so
if [[ ! -f $lib ]]; then
  jar=$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar
  [[ -f $jar ]] || (cd "$ROOT" && ./mvnw -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION)
  mkdir -p "$(dirname "$(dirname "$lib")")"
  (cd "$(dirname "$(dirname "$lib")")" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$jar" linux-x64/libasyncProfiler.so)
fi

if [[ -z ${BENCH_SKIP_BUILD:-} && -z ${PROFILE_JAR:-} ]]; then
  (cd "$ROOT" && ./mvnw -B -q -pl router-sidecar -am install -DskipTests)
fi
jar=${PROFILE_JAR:-$ROOT/router-sidecar/target/router-sidecar.jar}
[[ -f $jar ]] || die "$jar is missing; build it first"

render() { sed -e "s|@WORK@|$WORK|g" -e "s|@BENCH@|$BENCH|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" -e "s|@PORT@|$3|g" "$1" >"$2"; }
render "$BENCH/nginx/upstream.conf" "$OUT/nginx-upstream.conf" $UPSTREAM_PORT
render "$BENCH/sidecar/$config.yaml" "$OUT/sidecar.yaml" $SIDECAR_PORT
case $PATH_KIND in
  responses) cp "$BENCH/load/responses-request.json" "$OUT/body.json" ;;
  embeddings) sed -e "s|@MODEL@|embed|" "$BENCH/load/embeddings-request.json" >"$OUT/body.json" ;;
  *)
    s=""
    [[ $stream == true ]] && s=',"stream":true'
    sed -e "s|@MODEL@|$model|" -e "s|@STREAM@|$s|" "$BENCH/load/chat-request.json" >"$OUT/body.json"
    ;;
esac

nginx -c "$OUT/nginx-upstream.conf" -p "$WORK" 2>>"$OUT/nginx.log" &
PIDS+=($!)
# shellcheck disable=SC2086
MALLOC_ARENA_MAX=2 "$JAVA" $SIDECAR_JAVA_OPTS -XX:+EnableDynamicAgentLoading -jar "$jar" \
  --config "$OUT/sidecar.yaml" >"$OUT/sidecar.log" 2>&1 &
sidecar=$!
PIDS+=($sidecar)
for _ in $(seq 200); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SIDECAR_PORT/readyz" || true) == 200 ]] && break
  sleep 0.05
done
curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary "@$OUT/body.json" \
  "http://127.0.0.1:$SIDECAR_PORT$url" || die "the sidecar did not serve $url; see $OUT/sidecar.log"

load() { WRK_PACE_MS=0 wrk -t2 -c"$CONNECTIONS" -d"${1}s" --timeout 10s -s "$BENCH/load/chat.lua" "http://127.0.0.1:$SIDECAR_PORT$url" -- "$OUT/body.json"; }
load "$WARMUP" >/dev/null
name=$OUT/$PATH_KIND-$EVENT
case $EVENT in
  alloc) start_opts="start,event=alloc" ;;
  *) start_opts="start,event=$EVENT,interval=1ms" ;;
esac
"$JCMD" "$sidecar" JVMTI.agent_load "$lib" "\"$start_opts\"" >/dev/null
ticks_before=$(awk '{print $14 + $15}' "/proc/$sidecar/stat")
result=$(load "$SECONDS_PROFILED" | grep '^RESULT')
ticks_after=$(awk '{print $14 + $15}' "/proc/$sidecar/stat")
"$JCMD" "$sidecar" JVMTI.agent_load "$lib" "\"dump,file=$name.collapsed,collapsed\"" >/dev/null
"$JCMD" "$sidecar" JVMTI.agent_load "$lib" "\"stop,file=$name.html\"" >/dev/null
requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")
cpu_us=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')

python3 "$BENCH/profile_summary.py" "$name.collapsed" "$PATH_KIND" "$EVENT" "$requests" "$cpu_us" \
  "$SIDECAR_JAVA_OPTS" | tee "$name.txt"
