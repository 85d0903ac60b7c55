#!/usr/bin/env bash
# Measures the router sidecar's overhead and footprint side by side with a direct call, one nginx
# proxy hop and Portkey's gateway, with the same load tool (wrk) in one run. See
# docs/benchmarks.md for how to read the results.
#
# Usage: bench/run.sh            (about four minutes on 2 cores)
# Settings (environment):
#   BENCH_DURATION=8          seconds per measurement
#   BENCH_WARMUP=4            seconds of warm-up load before each target is measured
#   BENCH_RATE=1000           the fixed moderate rate, requests/s
#   BENCH_RATE_CONNECTIONS=10 connections that share the fixed rate
#   BENCH_CONNECTIONS=32      connections at saturation
#   BENCH_STARTS=5            cold starts timed per launcher
#   BENCH_SKIP_BUILD=1        use the sidecar jar already in router-sidecar/target
#   BENCH_TARGETS=...         measure only these targets, comma-separated, of direct, nginx, sidecar,
#                             sidecar-connections (plain, beside BENCH_IDLE_CONNECTIONS=1000 idle
#                             keep-alive connections), sidecar-validated, sidecar-traced,
#                             sidecar-jvm-defaults, portkey
#                             (default: all; the
#                             direct call is always measured: every added latency is relative to it)
#   BENCH_CONNECTIONS_HEAP=-Xmx64m  the heap of sidecar-connections (its maxConnections: 1100 needs
#                             about 60 MiB by the sidecar's heap plan)
#   BENCH_AOT=0               skip the ahead-of-time cache's training run (and measure without one)
#   SIDECAR_JAVA_OPTS=...     JVM flags of the measured sidecar (default: see SIDECAR_TUNED_OPTS)
#   JAVA_HOME                 a JDK 21+ (default: the Temurin 25 JDK when present)
set -euo pipefail
# 1,000 idle connections beside the load need more descriptors than the usual soft limit of 1,024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
RESULTS=$WORK/results
DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-4}
RATE=${BENCH_RATE:-1000}
RATE_CONNECTIONS=${BENCH_RATE_CONNECTIONS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
STARTS=${BENCH_STARTS:-5}
TARGETS=${BENCH_TARGETS:-direct,nginx,sidecar,sidecar-connections,sidecar-validated,sidecar-traced,sidecar-jvm-defaults,portkey}
IDLE_CONNECTIONS=${BENCH_IDLE_CONNECTIONS:-1000}
CONNECTIONS_HEAP=${BENCH_CONNECTIONS_HEAP:--Xmx64m}
PORTKEY_VERSION=1.15.2

UPSTREAM_PORT=18181
PROXY_PORT=18182
SIDECAR_PORT=18183
PORTKEY_PORT=18184

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"

# A sidecar is one small process per pod. Measured here: a serial collector and a bounded heap keep
# its memory flat (32 MiB of heap serve the saturation load as fast as 48 MiB did, for 16 MiB less
# resident memory); the C1 compiler alone spares the C2 compiler's memory and the CPU it burns while
# warming up on a 2-core machine; fewer malloc arenas trim native memory. The ahead-of-time cache
# (JDK 25) made by a training run shortens start-up. The same flags as bin/router-sidecar's.
SIDECAR_TUNED_OPTS="-XX:+UseSerialGC -Xms16m -Xmx32m -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -Xss512k -XX:TieredStopAtLevel=1"
SIDECAR_JAVA_OPTS=${SIDECAR_JAVA_OPTS:-$SIDECAR_TUNED_OPTS}

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
  local gone=$1 kept=() pid
  for pid in "${PIDS[@]}"; do
    [[ $pid == "$gone" ]] || kept+=("$pid")
  done
  PIDS=("${kept[@]}")
}

stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

wanted() { [[ ,$TARGETS, == *,$1,* ]]; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
say "Installing what the benchmark needs (nginx-light, wrk, curl, python3; Portkey's gateway from npm)"
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
command -v node >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  note "apt-get install ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
else
  note "nginx, wrk, curl, python3 and node are installed"
fi
mkdir -p "$WORK/portkey" "$WORK/tmp" "$RESULTS"
if ! wanted portkey; then
  note "Portkey is not among BENCH_TARGETS: not installed"
elif [[ ! -f $WORK/portkey/node_modules/@portkey-ai/gateway/build/start-server.js ]]; then
  note "npm install @portkey-ai/gateway@$PORTKEY_VERSION (into bench/work/portkey)"
  npm install --silent --no-audit --no-fund --prefix "$WORK/portkey" "@portkey-ai/gateway@$PORTKEY_VERSION" >/dev/null
else
  note "Portkey's gateway is installed in bench/work/portkey"
fi
"$JAVA" -version 2>&1 | head -1 | grep -Eq '"(2[1-9]|[3-9][0-9])' || die "the sidecar needs a JDK 21+; set JAVA_HOME"

for port in $UPSTREAM_PORT $PROXY_PORT $SIDECAR_PORT $PORTKEY_PORT; do
  port_free "$port" || die "port $port is in use; is another benchmark running?"
done

# ---------------------------------------------------------------------------------------------
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
  say "Building the router sidecar (./mvnw -pl router-sidecar -am install -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q -pl router-sidecar -am install -DskipTests) \
    || note "WARNING: the build failed; measuring the jar already in router-sidecar/target"
fi
[[ -f $ROOT/router-sidecar/target/router-sidecar.jar ]] || die "router-sidecar/target/router-sidecar.jar is missing; build it first"
# A private copy: a rebuild of the tree during the run cannot change what is measured.
rm -rf "$WORK/sidecar"
mkdir -p "$WORK/sidecar"
cp "$ROOT/router-sidecar/target/router-sidecar.jar" "$WORK/sidecar/"
cp -r "$ROOT/router-sidecar/target/libs" "$WORK/sidecar/"
SIDECAR_JAR=$WORK/sidecar/router-sidecar.jar

render() { # template output: fills the @NAME@ placeholders
  sed -e "s|@WORK@|$WORK|g" -e "s|@BENCH@|$BENCH|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" \
      -e "s|@PORT@|$3|g" "$1" >"$2"
}
request_body() { # model stream output
  local stream=""
  [[ $2 == true ]] && stream=',"stream":true'
  sed -e "s|@MODEL@|$1|" -e "s|@STREAM@|$stream|" "$BENCH/load/chat-request.json" >"$3"
}
request_body llama-3.3-70b false "$WORK/body-direct.json"
request_body llama-3.3-70b true "$WORK/body-direct-stream.json"
request_body chat false "$WORK/body-sidecar.json"
request_body chat-stream true "$WORK/body-sidecar-stream.json"
request_body classify-ticket false "$WORK/body-sidecar-task.json"
sed -e "s|@MODEL@|bge-m3|" "$BENCH/load/embeddings-request.json" >"$WORK/body-direct-embeddings.json"
sed -e "s|@MODEL@|embed|" "$BENCH/load/embeddings-request.json" >"$WORK/body-sidecar-embeddings.json"
cp "$BENCH/load/responses-request.json" "$WORK/body-sidecar-responses.json"
render "$BENCH/sidecar/plain.yaml" "$WORK/sidecar-plain.yaml" $SIDECAR_PORT
render "$BENCH/sidecar/validated.yaml" "$WORK/sidecar-validated.yaml" $SIDECAR_PORT
render "$BENCH/sidecar/traced.yaml" "$WORK/sidecar-traced.yaml" $SIDECAR_PORT
render "$BENCH/sidecar/connections.yaml" "$WORK/sidecar-connections.yaml" $SIDECAR_PORT
render "$BENCH/nginx/upstream.conf" "$WORK/nginx-upstream.conf" $UPSTREAM_PORT
render "$BENCH/nginx/proxy.conf" "$WORK/nginx-proxy.conf" $PROXY_PORT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Waits until the URL answers (any status when $2 is "any", else 200); prints milliseconds since $3.
wait_ready() {
  local url=$1 want=$2 since=$3 code deadline=$(($(now_ms) + 30000))
  while (($(now_ms) < deadline)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
    if [[ $code == 200 || ($want == any && $code != 000) ]]; then
      echo $(($(now_ms) - since))
      return 0
    fi
    sleep 0.005
  done
  return 1
}

cpu_ticks() { # utime + stime of the given processes, in clock ticks
  local total=0 pid fields
  for pid in "$@"; do
    # Fields after the command name; the name may hold spaces, so count from the right of ')'.
    fields=($(sed 's/.*) //' "/proc/$pid/stat"))
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}
rss_kib() { # resident memory of the given processes, KiB
  local total=0 pid kib
  for pid in "$@"; do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    total=$((total + kib))
  done
  echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

# Starts a sampler of the processes' summed RSS every 200 ms; its file holds the largest sample.
start_rss_sampler() {
  local out=$1
  shift
  echo 0 >"$out"
  (
    peak=0
    while true; do
      now=$(rss_kib "$@" 2>/dev/null || echo 0)
      if ((now > peak)); then peak=$now; echo "$peak" >"$out"; fi
      sleep 0.2
    done
  ) &
  SAMPLER=$!
  PIDS+=("$SAMPLER")
}

RAW=$RESULTS/raw.tsv
FACTS=$RESULTS/facts.tsv
printf 'target\tkind\tmode\trequests\tseconds\terrors\tp50_us\tp90_us\tp99_us\tp999_us\tcpu_ticks\n' >"$RAW"
printf 'key\tvalue\n' >"$FACTS"
fact() { printf '%s\t%s\n' "$1" "$2" >>"$FACTS"; }

# One wrk run; appends a row to raw.tsv. mode: rate (paced) or saturation.
load() { # target kind mode url body seconds [header value]...
  local target=$1 kind=$2 mode=$3 url=$4 body=$5 seconds=$6
  shift 6
  local pace=0 threads=2 conns=$CONNECTIONS before after line
  if [[ $mode == rate ]]; then
    # Each connection waits between a response and its next request: connections/pause = rate.
    pace=$((RATE_CONNECTIONS * 1000 / RATE))
    threads=1
    conns=$RATE_CONNECTIONS
  fi
  before=$(cpu_ticks "${MEASURED_PIDS[@]}")
  line=$(WRK_PACE_MS=$pace wrk -t$threads -c"$conns" -d"${seconds}s" --timeout 10s \
    -s "$BENCH/load/chat.lua" "$url" -- "$body" "$@" | grep '^RESULT')
  after=$(cpu_ticks "${MEASURED_PIDS[@]}")
  [[ -n $line ]] || die "wrk printed no result for $target"
  # shellcheck disable=SC2086
  local $(echo "${line#RESULT }")
  if [[ $mode != warmup ]]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$kind" "$mode" "$requests" \
      "$(awk "BEGIN {printf \"%.3f\", $duration_us / 1e6}")" "$errors" "$p50_us" "$p90_us" \
      "$p99_us" "$p999_us" $((after - before)) >>"$RAW"
    printf '   %-18s %-6s %-10s %8.0f req/s  p50 %6s us  p99 %7s us  errors %s\n' "$target" "$kind" \
      "$mode" "$(awk "BEGIN {print $requests / ($duration_us / 1e6)}")" "$p50_us" "$p99_us" "$errors"
  fi
  ((errors == 0)) || note "WARNING: $errors failed requests for $target ($mode); its numbers are suspect"
}

# Checks one request by hand, then warms up and measures at the fixed rate and at saturation.
measure() { # target kind url body expect [header value]...
  local target=$1 kind=$2 url=$3 body=$4 expect=$5
  shift 5
  local headers=(-H 'Content-Type: application/json') answer i
  for ((i = 1; i < $#; i += 2)); do
    local value=$((i + 1))
    headers+=(-H "${!i}: ${!value}")
  done
  answer=$(curl -sS --max-time 10 "${headers[@]}" --data-binary "@$body" "$url" || true)
  if [[ $answer != *"$expect"* ]]; then
    note "$target ($kind) answered unexpectedly, not measured: ${answer:0:300}"
    fact "failed_${target}_$kind" "${answer:0:300}"
    return 1
  fi
  load "$target" "$kind" warmup "$url" "$body" "$WARMUP" "$@"
  load "$target" "$kind" rate "$url" "$body" "$DURATION" "$@"
  load "$target" "$kind" saturation "$url" "$body" "$DURATION" "$@"
}

# Starts the sidecar in the background; sets SIDECAR_PID and READY_MS (launch to /readyz 200).
start_sidecar() { # config java-opts...
  local config=$1 started
  shift
  started=$(now_ms)
  local arenas=()
  (($#)) && arenas=(env MALLOC_ARENA_MAX=2) # tuned launches only; "JVM defaults" means none
  # shellcheck disable=SC2068
  "${arenas[@]}" "$JAVA" $@ -jar "$SIDECAR_JAR" --config "$config" >>"$WORK/sidecar.log" 2>&1 &
  SIDECAR_PID=$!
  PIDS+=("$SIDECAR_PID")
  READY_MS=$(wait_ready "http://127.0.0.1:$SIDECAR_PORT/readyz" 200 "$started") \
    || die "the sidecar did not get ready; see bench/work/sidecar.log"
}

# ---------------------------------------------------------------------------------------------
say "Describing the machine"
{
  fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
  fact cpu "$(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  fact memory "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  fact os "$(. /etc/os-release && echo "$PRETTY_NAME")"
  fact jdk "$("$JAVA" -version 2>&1 | sed -n 2p)"
  fact nginx "$(nginx -v 2>&1 | sed 's/.*: //')"
  fact wrk "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
  fact node "$(node --version)"
  fact portkey "@portkey-ai/gateway $PORTKEY_VERSION"
  fact load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
  fact sidecar_java_opts "$SIDECAR_JAVA_OPTS"
  fact settings "rate ${RATE}/s over $RATE_CONNECTIONS connections; saturation $CONNECTIONS connections, 2 wrk threads; ${DURATION}s per measurement after ${WARMUP}s warm-up"
}
sed 1d "$FACTS" | while IFS=$'\t' read -r key value; do note "$key: $value"; done


# ---------------------------------------------------------------------------------------------
say "Starting the static upstream (nginx on 127.0.0.1:$UPSTREAM_PORT) and the nginx proxy hop (:$PROXY_PORT)"
nginx -c "$WORK/nginx-upstream.conf" -p "$WORK" 2>>"$WORK/nginx.log" &
UPSTREAM_PID=$!
PIDS+=("$UPSTREAM_PID")
nginx -c "$WORK/nginx-proxy.conf" -p "$WORK" 2>>"$WORK/nginx.log" &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
wait_ready "http://127.0.0.1:$UPSTREAM_PORT/" any "$(now_ms)" >/dev/null || die "nginx did not start; see bench/work/nginx.log"
wait_ready "http://127.0.0.1:$PROXY_PORT/" any "$(now_ms)" >/dev/null || die "nginx did not start; see bench/work/nginx.log"
sleep 0.2
UPSTREAM_PIDS=("$UPSTREAM_PID" $(pgrep -P "$UPSTREAM_PID"))
PROXY_PIDS=("$PROXY_PID" $(pgrep -P "$PROXY_PID"))

# ---------------------------------------------------------------------------------------------
AOT=$WORK/sidecar.aot
AOT_OPTS=()
rm -f "$AOT"
if [[ ${BENCH_AOT:-1} == 0 ]]; then
  note "BENCH_AOT=0: measuring without an ahead-of-time cache"
elif "$JAVA" -XX:AOTCacheOutput="$WORK/probe.aot" -version >/dev/null 2>&1; then
  say "Making the sidecar's ahead-of-time cache (a short training run under load)"
  start_sidecar "$WORK/sidecar-validated.yaml" $SIDECAR_JAVA_OPTS -XX:AOTCacheOutput="$AOT"
  MEASURED_PIDS=("$SIDECAR_PID")
  for body in body-sidecar.json body-sidecar-task.json body-sidecar-stream.json; do
    WRK_PACE_MS=0 wrk -t1 -c8 -d2s -s "$BENCH/load/chat.lua" "http://127.0.0.1:$SIDECAR_PORT/v1/chat/completions" -- "$WORK/$body" >/dev/null
  done
  WRK_PACE_MS=0 wrk -t1 -c8 -d2s -s "$BENCH/load/chat.lua" "http://127.0.0.1:$SIDECAR_PORT/v1/responses" -- "$WORK/body-sidecar-responses.json" >/dev/null
  WRK_PACE_MS=0 wrk -t1 -c8 -d2s -s "$BENCH/load/chat.lua" "http://127.0.0.1:$SIDECAR_PORT/v1/embeddings" -- "$WORK/body-sidecar-embeddings.json" >/dev/null
  stop "$SIDECAR_PID"
  if [[ -f $AOT ]]; then
    AOT_OPTS=(-XX:AOTCache="$AOT")
    note "wrote bench/work/sidecar.aot ($(du -m "$AOT" | cut -f1) MB)"
  else
    note "no cache was written (see bench/work/sidecar.log); measuring without one"
  fi
else
  note "this JDK has no ahead-of-time cache (JDK 25+); measuring without one"
fi
rm -f "$WORK/probe.aot"

time_starts() { # label java-opts...   (START_CONFIG: the config started, default the plain one)
  local label=$1 samples=() i ms
  shift
  ((STARTS > 0)) || return 0
  for ((i = 0; i < STARTS; i++)); do
    start_sidecar "${START_CONFIG:-$WORK/sidecar-plain.yaml}" "$@"
    samples+=("$READY_MS")
    stop "$SIDECAR_PID"
  done
  ms=$(printf '%s\n' "${samples[@]}" | sort -n | sed -n "$(((STARTS + 1) / 2))p")
  fact "ready_ms_$label" "$ms"
  note "$(printf '%-34s median %5s ms   (%s)' "$label" "$ms" "${samples[*]}")"
}
((STARTS > 0)) && say "Timing the sidecar's start until /readyz answers 200 ($STARTS cold starts per launcher)"
time_starts "jvm-defaults"
time_starts "tuned" $SIDECAR_JAVA_OPTS
# The launcher's own archive (router-sidecar/bin/router-sidecar): a class-data sharing archive the
# first start writes at its exit, which every later start maps. One untimed start writes it.
CDS=$WORK/sidecar.jsa
rm -f "$CDS"
if ((STARTS > 0)); then
  start_sidecar "$WORK/sidecar-plain.yaml" $SIDECAR_JAVA_OPTS -XX:SharedArchiveFile="$CDS" -XX:+AutoCreateSharedArchive
  stop "$SIDECAR_PID"
  time_starts "launcher-cds" $SIDECAR_JAVA_OPTS -XX:SharedArchiveFile="$CDS" -XX:+AutoCreateSharedArchive
fi
if ((${#AOT_OPTS[@]})); then
  time_starts "tuned-aot" $SIDECAR_JAVA_OPTS "${AOT_OPTS[@]}"
fi
if wanted sidecar-traced; then
  # Tracing on loads and starts the OpenTelemetry SDK and its exporter thread: timed the same way.
  START_CONFIG=$WORK/sidecar-traced.yaml time_starts "tuned-traced" $SIDECAR_JAVA_OPTS "${AOT_OPTS[@]}"
fi

# ---------------------------------------------------------------------------------------------
CHAT=/v1/chat/completions
EMBEDDINGS=/v1/embeddings
JSON_OK='"chat.completion"'
SSE_OK='data: [DONE]'
EMBEDDINGS_OK='"embedding"'
RESPONSES_OK='"object":"response"'

say "Direct to the upstream"
MEASURED_PIDS=("${UPSTREAM_PIDS[@]}")
measure direct json "http://127.0.0.1:$UPSTREAM_PORT$CHAT" "$WORK/body-direct.json" "$JSON_OK" || die "cannot measure direct json"
measure direct sse "http://127.0.0.1:$UPSTREAM_PORT/sse$CHAT" "$WORK/body-direct-stream.json" "$SSE_OK" || die "cannot measure direct sse"
measure direct embeddings "http://127.0.0.1:$UPSTREAM_PORT$EMBEDDINGS" "$WORK/body-direct-embeddings.json" "$EMBEDDINGS_OK" || die "cannot measure direct embeddings"

if wanted nginx; then
  say "Through one nginx proxy hop"
  MEASURED_PIDS=("${PROXY_PIDS[@]}")
  fact rss_idle_kib_nginx "$(rss_kib "${PROXY_PIDS[@]}")"
  measure nginx json "http://127.0.0.1:$PROXY_PORT$CHAT" "$WORK/body-direct.json" "$JSON_OK" || die "cannot measure nginx json"
  measure nginx sse "http://127.0.0.1:$PROXY_PORT/sse$CHAT" "$WORK/body-direct-stream.json" "$SSE_OK" || die "cannot measure nginx sse"
  measure nginx embeddings "http://127.0.0.1:$PROXY_PORT$EMBEDDINGS" "$WORK/body-direct-embeddings.json" "$EMBEDDINGS_OK" || die "cannot measure nginx embeddings"
  fact rss_load_kib_nginx "$(rss_kib "${PROXY_PIDS[@]}")"
fi

# The sidecar's footprint: idle a second after ready, the largest sample under load, and the
# kernel's high-water mark.
sidecar_target() { # target config java-opts...
  local target=$1 config=$2
  shift 2
  say "Through the sidecar: $target (JVM flags: ${*:-none})"
  start_sidecar "$config" "$@"
  fact "ready_ms_$target" "$READY_MS"
  note "ready in $READY_MS ms"
  sleep 1
  fact "rss_idle_kib_$target" "$(rss_kib "$SIDECAR_PID")"
  MEASURED_PIDS=("$SIDECAR_PID")
  start_rss_sampler "$WORK/rss-peak" "$SIDECAR_PID"
}
sidecar_done() { # target
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  fact "rss_load_kib_$1" "$(cat "$WORK/rss-peak")"
  fact "rss_hwm_kib_$1" "$(awk '/^VmHWM:/ {print $2}' "/proc/$SIDECAR_PID/status")"
  stop "$SIDECAR_PID"
}

SIDECAR_URL="http://127.0.0.1:$SIDECAR_PORT$CHAT"
if wanted sidecar; then
  sidecar_target sidecar "$WORK/sidecar-plain.yaml" $SIDECAR_JAVA_OPTS "${AOT_OPTS[@]}"
  measure sidecar json "$SIDECAR_URL" "$WORK/body-sidecar.json" "$JSON_OK" || die "cannot measure sidecar json"
  measure sidecar sse "$SIDECAR_URL" "$WORK/body-sidecar-stream.json" "$SSE_OK" || die "cannot measure sidecar sse"
  # The Responses API over the same JSON upstream: its baseline is the chat completion's.
  measure sidecar responses "http://127.0.0.1:$SIDECAR_PORT/v1/responses" "$WORK/body-sidecar-responses.json" "$RESPONSES_OK" || die "cannot measure sidecar responses"
  measure sidecar embeddings "http://127.0.0.1:$SIDECAR_PORT$EMBEDDINGS" "$WORK/body-sidecar-embeddings.json" "$EMBEDDINGS_OK" || die "cannot measure sidecar embeddings"
  sidecar_done sidecar
fi

if wanted sidecar-connections; then
  # 1,000 keep-alive connections that made one request each and stay idle, then the JSON load
  # beside them: the memory they cost, and whether the sidecar kept them all and served the load.
  # The sidecar's heap plan reserves the idle heap of every connection it may keep (32 KiB each,
  # HeapPlan.PER_CONNECTION): with maxConnections 1,100 it needs about 60 MiB of heap, which it
  # refuses to start without (later flags win).
  sidecar_target sidecar-connections "$WORK/sidecar-connections.yaml" $SIDECAR_JAVA_OPTS "${AOT_OPTS[@]}" $CONNECTIONS_HEAP
  rm -f "$WORK/held-ready" "$WORK/held-done"
  python3 "$BENCH/load/hold_connections.py" 127.0.0.1 $SIDECAR_PORT $IDLE_CONNECTIONS "$WORK/held-ready" "$WORK/held-done" &
  HOLDER=$!
  PIDS+=("$HOLDER")
  for _ in $(seq 600); do [[ -f $WORK/held-ready ]] && break; sleep 0.1; done
  [[ -f $WORK/held-ready ]] || die "the idle connections were not all opened"
  note "$(cat "$WORK/held-ready") idle keep-alive connections open"
  fact "rss_idle_connections_kib_sidecar-connections" "$(rss_kib "$SIDECAR_PID")"
  measure sidecar-connections json "$SIDECAR_URL" "$WORK/body-sidecar.json" "$JSON_OK" || die "cannot measure sidecar-connections json"
  touch "$WORK/held-done"
  wait "$HOLDER" 2>/dev/null || true
  forget_pid "$HOLDER"
  fact "idle_connections_closed_sidecar-connections" "$(cat "$WORK/held-done")"
  note "idle connections the sidecar closed meanwhile: $(cat "$WORK/held-done")"
  sidecar_done sidecar-connections
fi

if wanted sidecar-validated; then
  sidecar_target sidecar-validated "$WORK/sidecar-validated.yaml" $SIDECAR_JAVA_OPTS "${AOT_OPTS[@]}"
  measure sidecar-validated json "$SIDECAR_URL" "$WORK/body-sidecar-task.json" '\"category\"' || die "cannot measure sidecar-validated json"
  sidecar_done sidecar-validated
fi

if wanted sidecar-traced; then
  sidecar_target sidecar-traced "$WORK/sidecar-traced.yaml" $SIDECAR_JAVA_OPTS "${AOT_OPTS[@]}"
  measure sidecar-traced json "$SIDECAR_URL" "$WORK/body-sidecar.json" "$JSON_OK" || die "cannot measure sidecar-traced json"
  measure sidecar-traced sse "$SIDECAR_URL" "$WORK/body-sidecar-stream.json" "$SSE_OK" || die "cannot measure sidecar-traced sse"
  fact "trace_spans_sidecar-traced" "$(curl -s "http://127.0.0.1:$SIDECAR_PORT/metrics" | awk '/^aihandler_trace_spans_total/ {printf "%s%s=%s", sep, $1, $2; sep=" "}')"
  sidecar_done sidecar-traced
fi

if wanted sidecar-jvm-defaults; then
  sidecar_target sidecar-jvm-defaults "$WORK/sidecar-plain.yaml"
  measure sidecar-jvm-defaults json "$SIDECAR_URL" "$WORK/body-sidecar.json" "$JSON_OK" || die "cannot measure sidecar-jvm-defaults json"
  sidecar_done sidecar-jvm-defaults
fi

# ---------------------------------------------------------------------------------------------
if wanted portkey; then
  say "Through Portkey's gateway (node $(node --version), bound to 127.0.0.1:$PORTKEY_PORT)"
  started=$(now_ms)
  NODE_ENV=production node --import "$BENCH/portkey/bind-loopback.mjs" \
    "$WORK/portkey/node_modules/@portkey-ai/gateway/build/start-server.js" --port=$PORTKEY_PORT --headless \
    >>"$WORK/portkey.log" 2>&1 &
  PORTKEY_PID=$!
  PIDS+=("$PORTKEY_PID")
  READY_MS=$(wait_ready "http://127.0.0.1:$PORTKEY_PORT/" any "$started") || die "Portkey did not start; see bench/work/portkey.log"
  fact ready_ms_portkey "$READY_MS"
  note "ready in $READY_MS ms"
  if ss -ltn 2>/dev/null | grep -q ":$PORTKEY_PORT " && ss -ltn | grep ":$PORTKEY_PORT " | grep -vq '127.0.0.1'; then
    die "Portkey listens beyond 127.0.0.1"
  fi
  sleep 1
  fact rss_idle_kib_portkey "$(rss_kib "$PORTKEY_PID")"
  MEASURED_PIDS=("$PORTKEY_PID")
  start_rss_sampler "$WORK/rss-peak" "$PORTKEY_PID"
  measure portkey json "http://127.0.0.1:$PORTKEY_PORT$CHAT" "$WORK/body-direct.json" "$JSON_OK" \
    x-portkey-provider openai x-portkey-custom-host "http://127.0.0.1:$UPSTREAM_PORT/v1" Authorization "Bearer sk-bench" || true
  measure portkey sse "http://127.0.0.1:$PORTKEY_PORT$CHAT" "$WORK/body-direct-stream.json" "$SSE_OK" \
    x-portkey-provider openai x-portkey-custom-host "http://127.0.0.1:$UPSTREAM_PORT/sse/v1" Authorization "Bearer sk-bench" || true
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  fact rss_load_kib_portkey "$(cat "$WORK/rss-peak")"
  stop "$PORTKEY_PID"
fi

fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
fact clk_tck "$CLK_TCK"

# ---------------------------------------------------------------------------------------------
say "Results (bench/work/results/results.md; raw rows in raw.tsv, facts in facts.tsv)"
python3 "$BENCH/report.py" "$RESULTS" | tee "$RESULTS/results.md"
