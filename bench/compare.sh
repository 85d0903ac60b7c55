#!/usr/bin/env bash
# Measures sidecar variants side by side in one run, in alternating rounds, so that the noise of a
# shared machine falls on all of them alike: what one change (a commit, a JVM flag) buys on its own.
# See docs/benchmarks.md ("Measuring one change").
#
# Usage: bench/compare.sh VARIANTS.tsv
#   VARIANTS.tsv: one variant per line, tab-separated: label, jar, JVM flags (may be empty), and
#   optionally the sidecar's log level (error, warn, info, debug; the configs' own is info, the
#   shipped default, so that the access log's cost can be measured as a change of its own),
#   with its log format after a comma (info,json).
#   The jar is a path, or rev:<git revision>, built once into bench/work/compare/jars/<commit>/,
#   or one of the floors, compiled against router-sidecar/target/libs (the Netty ones also against
#   Netty, copied by Maven from bench/floor/netty/pom.xml on first use), each passing requests
#   through and doing nothing else:
#     floor           bench/floor/FloorProxy.java: the sidecar's stack, Helidon's server and client
#     netty-floor     bench/floor/NettyFloorProxy.java: Netty's server and client on event loops
#     netty-vt-floor  bench/floor/NettyVirtualThreadFloorProxy.java: Netty's server, each request
#                     on a virtual thread calling Helidon's blocking client
#   or nginx: one nginx proxy hop (bench/nginx/proxy.conf), measured on the json and sse paths
#   only; its CPU and memory are its worker's. The flags column is ignored for it.
#   Lines starting with # are ignored.
# Settings (environment):
#   COMPARE_PATHS=json,sse     paths measured: json, sse, validated, responses, embeddings
#   COMPARE_ROUNDS=2           rounds; each round measures every variant once, in turn
#   COMPARE_SECONDS=8          seconds of saturation load per measurement (after COMPARE_WARMUP=4)
#   COMPARE_RATE=1000          the fixed moderate rate for the added-p50 row (0 skips it)
#   COMPARE_CONNECTIONS=32     connections at saturation
#   COMPARE_UPSTREAM_PORT=18181, COMPARE_SIDECAR_PORT=18183: ports, to run beside bench/run.sh
# Output: a table per path (median over rounds) on stdout and in bench/work/compare/results.md.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
OUT=$WORK/compare
VARIANTS=${1:?usage: bench/compare.sh VARIANTS.tsv}
PATHS=${COMPARE_PATHS:-json,sse}
ROUNDS=${COMPARE_ROUNDS:-2}
SECONDS_LOADED=${COMPARE_SECONDS:-8}
WARMUP=${COMPARE_WARMUP:-4}
RATE=${COMPARE_RATE:-1000}
CONNECTIONS=${COMPARE_CONNECTIONS:-32}
UPSTREAM_PORT=${COMPARE_UPSTREAM_PORT:-18181}
SIDECAR_PORT=${COMPARE_SIDECAR_PORT:-18183}

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"

die() { printf 'compare: %s\n' "$*" >&2; exit 1; }
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
command -v nginx >/dev/null && command -v wrk >/dev/null || die "needs nginx and wrk (bench/run.sh installs them)"
mkdir -p "$OUT/jars" "$WORK/tmp"

# A jar for rev:<revision>: built once per commit in a throw-away worktree.
jar_for() {
  local spec=$1 commit dir
  case $spec in
    nginx)
      echo nginx
      return
      ;;
    floor | netty-floor | netty-vt-floor)
      local libs=$ROOT/router-sidecar/target/libs cp main
      [[ -d $libs ]] || die "the floor proxies need router-sidecar/target/libs; build the sidecar first"
      cp="$libs/*"
      case $spec in
        floor) main=FloorProxy ;;
        netty-floor) main=NettyFloorProxy ;;
        netty-vt-floor) main=NettyVirtualThreadFloorProxy ;;
      esac
      if [[ $spec == netty-* ]]; then
        if [[ ! -d $OUT/netty-libs ]]; then
          "$ROOT/mvnw" -B -q -f "$BENCH/floor/netty/pom.xml" dependency:copy-dependencies \
            -DoutputDirectory="$OUT/netty-libs" >"$OUT/netty-libs.log" 2>&1 \
            || { rm -rf "$OUT/netty-libs"; die "could not fetch Netty; see $OUT/netty-libs.log"; }
        fi
        cp="$cp:$OUT/netty-libs/*"
      fi
      mkdir -p "$OUT/$spec"
      "${JAVA_HOME:+$JAVA_HOME/bin/}javac" -nowarn -cp "$cp" -d "$OUT/$spec" "$BENCH/floor/$main.java" >&2 \
        || die "the floor proxy $main did not compile"
      echo "floor:$main:$OUT/$spec:$cp"
      return
      ;;
  esac
  if [[ $spec != rev:* ]]; then
    [[ -f $spec ]] || die "no jar at $spec"
    echo "$spec"
    return
  fi
  commit=$(git -C "$ROOT" rev-parse --verify "${spec#rev:}^{commit}") || die "unknown revision ${spec#rev:}"
  dir=$OUT/jars/$commit
  if [[ ! -f $dir/router-sidecar.jar ]]; then
    printf '   building %s (%s)\n' "${spec#rev:}" "${commit:0:10}" >&2
    rm -rf "$OUT/src"
    git -C "$ROOT" worktree add -f --detach "$OUT/src" "$commit" >/dev/null 2>&1
    (cd "$OUT/src" && ./mvnw -B -q -o -pl router-sidecar -am package -DskipTests >"$OUT/build.log" 2>&1) \
      || { git -C "$ROOT" worktree remove -f "$OUT/src"; die "building $commit failed; see $OUT/build.log"; }
    mkdir -p "$dir"
    cp "$OUT/src/router-sidecar/target/router-sidecar.jar" "$dir/"
    cp -r "$OUT/src/router-sidecar/target/libs" "$dir/"
    git -C "$ROOT" worktree remove -f "$OUT/src"
  fi
  echo "$dir/router-sidecar.jar"
}

labels=() jars=() flags=() levels=()
while IFS=$'\t' read -r label jar flag level || [[ -n $label ]]; do
  [[ -z $label || $label == \#* ]] && continue
  labels+=("$label")
  jars+=("$(jar_for "$jar")")
  flags+=("${flag:-}")
  levels+=("${level:-}")
done <"$VARIANTS"
((${#labels[@]})) || die "no variants in $VARIANTS"

render() { sed -e "s|@WORK@|$WORK|g" -e "s|@BENCH@|$BENCH|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" -e "s|@PORT@|$3|g" "$1" >"$2"; }
render "$BENCH/nginx/upstream.conf" "$OUT/nginx-upstream.conf" $UPSTREAM_PORT
render "$BENCH/nginx/proxy.conf" "$OUT/nginx-proxy.conf" $SIDECAR_PORT
render "$BENCH/sidecar/plain.yaml" "$OUT/plain.yaml" $SIDECAR_PORT
render "$BENCH/sidecar/validated.yaml" "$OUT/validated.yaml" $SIDECAR_PORT
body() { # model stream output
  local s=""
  [[ $2 == true ]] && s=',"stream":true'
  sed -e "s|@MODEL@|$1|" -e "s|@STREAM@|$s|" "$BENCH/load/chat-request.json" >"$3"
}
body chat false "$OUT/json.json"
body chat-stream true "$OUT/sse.json"
body classify-ticket false "$OUT/validated.json"
cp "$BENCH/load/responses-request.json" "$OUT/responses.json"
sed -e "s|@MODEL@|embed|" "$BENCH/load/embeddings-request.json" >"$OUT/embeddings.json"
path_url() { case $1 in responses) echo /v1/responses ;; embeddings) echo /v1/embeddings ;; *) echo /v1/chat/completions ;; esac; }
# The path's config, with the variant's log level (and format) in place of the file's when its
# line names them: "info", or "info,json".
path_config() { # path log
  local file level=${2%%,*} format=
  [[ $2 == *,* ]] && format=${2#*,}
  [[ $1 == validated ]] && file=$OUT/validated.yaml || file=$OUT/plain.yaml
  if [[ -n $2 ]]; then
    sed -e "s/^  logLevel: .*/  logLevel: $level${format:+\\n  logFormat: $format}/" "$file" \
      >"${file%.yaml}-${2/,/-}.yaml"
    file=${file%.yaml}-${2/,/-}.yaml
  fi
  echo "$file"
}

nginx -c "$OUT/nginx-upstream.conf" -p "$WORK" 2>>"$OUT/nginx.log" &
PIDS+=($!)
sleep 0.3

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
wrk_result() { # conns pace_ms seconds url body
  WRK_PACE_MS=$2 wrk -t"$([[ $2 == 0 ]] && echo 2 || echo 1)" -c"$1" -d"${3}s" --timeout 10s \
    -s "$BENCH/load/chat.lua" "http://127.0.0.1:$SIDECAR_PORT$4" -- "$5" | grep '^RESULT'
}
field() { sed "s/.* $1=\([0-9.]*\).*/\1/" <<<"$2"; }

RAW=$OUT/raw.tsv
printf 'round\tlabel\tpath\tcpu_us\treq_s\tp50_rate_us\thwm_mib\terrors\n' >"$RAW"
printf '== %s, load before %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= ROUNDS; round++)); do
  for p in ${PATHS//,/ }; do
    for i in "${!labels[@]}"; do
      url=$(path_url "$p")
      if [[ ${jars[$i]} == nginx ]]; then
        [[ $p == json || $p == sse ]] || continue
        [[ $p == sse ]] && url=/sse$url
        nginx -c "$OUT/nginx-proxy.conf" -p "$WORK" 2>>"$OUT/nginx.log" &
        pid=$!
        PIDS+=($pid)
      else
        launch=(-jar "${jars[$i]}")
        if [[ ${jars[$i]} == floor:* ]]; then
          main=${jars[$i]#floor:}
          launch=(-cp "${main#*:}" "${main%%:*}")
        fi
        # shellcheck disable=SC2086
        MALLOC_ARENA_MAX=2 "$JAVA" ${flags[$i]} "${launch[@]}" --config "$(path_config "$p" "${levels[$i]}")" \
          >>"$OUT/sidecar.log" 2>&1 &
        pid=$!
        PIDS+=($pid)
      fi
      # Ready: /readyz answers 200 (nginx passes it upstream, where any answer will do).
      for _ in $(seq 300); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SIDECAR_PORT/readyz" || true)
        [[ $code == 200 || (${jars[$i]} == nginx && $code != 000) ]] && break
        sleep 0.05
      done
      # nginx's master only starts its worker: the worker's CPU and memory are the hop's.
      measured=$pid
      [[ ${jars[$i]} == nginx ]] && measured=$(pgrep -P "$pid" | head -1)
      wrk_result "$CONNECTIONS" 0 "$WARMUP" "$url" "$OUT/$p.json" >/dev/null
      p50=-
      if ((RATE > 0)); then
        r=$(wrk_result 10 $((10 * 1000 / RATE)) "$SECONDS_LOADED" "$url" "$OUT/$p.json")
        p50=$(field p50_us "$r")
      fi
      before=$(ticks "$measured")
      r=$(wrk_result "$CONNECTIONS" 0 "$SECONDS_LOADED" "$url" "$OUT/$p.json")
      after=$(ticks "$measured")
      n=$(field requests "$r")
      cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
      rps=$(awk -v n="$n" -v d="$(field duration_us "$r")" 'BEGIN {printf "%.0f", n / (d / 1e6)}')
      hwm=$(( $(hwm_kib "$measured") / 1024 ))
      errors=$(field errors "$r")
      kill $pid
      wait $pid 2>/dev/null || true
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "${labels[$i]}" "$p" "$cpu" "$rps" "$p50" "$hwm" "$errors" >>"$RAW"
      printf '   round %d %-10s %-28s CPU %5s us/req  %6s req/s  p50@rate %5s us  HWM %3s MiB  errors %s\n' \
        "$round" "$p" "${labels[$i]}" "$cpu" "$rps" "$p50" "$hwm" "$errors"
    done
  done
done
printf '== load after %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RAW" "$OUT/results.md" <<'EOF'
import collections, statistics, sys
rows = list(__import__("csv").DictReader(open(sys.argv[1]), delimiter="\t"))
order, paths = [], []
for r in rows:
    if r["label"] not in order: order.append(r["label"])
    if r["path"] not in paths: paths.append(r["path"])
def med(xs):
    xs = [float(x) for x in xs if x not in ("-", "")]
    return statistics.median(xs) if xs else None
out = []
for p in paths:
    out.append(f"\n{p}: median of {max(int(r['round']) for r in rows)} rounds\n")
    out.append("| variant | CPU µs/req | × first | req/s at saturation | p50 µs at the fixed rate | RSS high-water MiB | errors |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = None
    for label in order:
        rs = [r for r in rows if r["label"] == label and r["path"] == p]
        if not rs:
            continue
        cpu = med(r["cpu_us"] for r in rs)
        base = base or cpu
        p50 = med(r["p50_rate_us"] for r in rs)
        out.append(f"| {label} | {cpu:.0f} | {cpu / base:.2f} | {med(r['req_s'] for r in rs):.0f} | "
                   f"{'-' if p50 is None else f'{p50:.0f}'} | {med(r['hwm_mib'] for r in rs):.0f} | "
                   f"{sum(int(r['errors']) for r in rs)} |")
text = "\n".join(out) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
EOF
