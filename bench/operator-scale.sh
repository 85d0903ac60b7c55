#!/usr/bin/env bash
# The operator at scale: 200 ModelBackends and 1,000 Workflows with their RoutingPolicies created at
# once against the embedded Kubernetes API; reports time to Ready, API requests, writes during a
# following idle minute and the operator's memory. See docs/benchmarks.md.
#
# Usage: bench/operator-scale.sh      (about two minutes, one of them idle)
# Settings (environment): BENCH_BACKENDS=200 BENCH_WORKFLOWS=1000 BENCH_NAMESPACES=20
#   BENCH_IDLE_SECONDS=60 BENCH_TIMEOUT_SECONDS=300 BENCH_SKIP_BUILD=1
#   OPERATOR_JAVA_OPTS  the operator's JVM flags; the default sizes the JVM as in a pod with the Helm
#                       chart's default memory limit (512Mi) and jvmOptions
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
mkdir -p "$WORK/results"

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[[ -n "${JAVA_HOME:-}" ]] || { echo "bench: set JAVA_HOME to a JDK 21+" >&2; exit 1; }
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
  echo "== Building and installing the operator (./mvnw -pl operator -am install -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q -pl operator -am install -DskipTests) \
    || echo "   WARNING: the build failed; running the operator last installed in ~/.m2"
fi
echo "== Compiling the benchmark (./mvnw -f bench/pom.xml compile)"
(cd "$ROOT" && ./mvnw -B -q -f bench/pom.xml compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/operator-scale.classpath" -Dmdep.includeScope=runtime)

echo "== Running: ${BENCH_BACKENDS:-200} ModelBackends, ${BENCH_WORKFLOWS:-1000} RoutingPolicies and Workflows"
cd "$ROOT"
"$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dbench.backends="${BENCH_BACKENDS:-200}" \
  -Dbench.workflows="${BENCH_WORKFLOWS:-1000}" \
  -Dbench.namespaces="${BENCH_NAMESPACES:-20}" \
  -Dbench.idleSeconds="${BENCH_IDLE_SECONDS:-60}" \
  -Dbench.timeoutSeconds="${BENCH_TIMEOUT_SECONDS:-300}" \
  -Dbench.report="$WORK/results/operator-scale.md" \
  -Dbench.operatorLog="$WORK/operator.log" \
  -Dbench.operatorJavaOpts="${OPERATOR_JAVA_OPTS--XX:MaxRAM=512m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError}" \
  -cp "$BENCH/target/classes:$(cat "$WORK/operator-scale.classpath")" \
  io.aihandler.bench.OperatorScale
echo "== Written to bench/work/results/operator-scale.md (the operator's log: bench/work/operator.log)"
