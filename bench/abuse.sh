#!/usr/bin/env bash
# Fault and abuse floods against a real router sidecar (the shipped JVM flags), heavier than the
# test suite's probes:
#   bench/abuse.sh [connections|upstream|all]
# Environment:
#   ABUSE_CONNECTIONS      connections per flood (5000)
#   ABUSE_UPSTREAM_BYTES   size of the endless upstream answer (10737418240 = 10 GiB)
#   BENCH_SKIP_BUILD=1     use what is already built
# Prints what the sidecar held after each step and PASS or FAIL; exits 1 on FAIL.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
profile=${1:-all}
case $profile in
  connections | upstream | all) ;;
  *)
    echo "usage: bench/abuse.sh [connections|upstream|all]" >&2
    exit 64
    ;;
esac

if [[ -z ${JAVA_HOME:-} && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
export MAVEN_OPTS=${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}

work=$root/bench/work/abuse
mkdir -p "$work"
cd "$root"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  echo "building the sidecar and its test classes..."
  ./mvnw -B -q -pl router-sidecar -am test-compile
fi
./mvnw -B -q -pl router-sidecar dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath.txt" >/dev/null
cp="$root/router-sidecar/target/test-classes:$root/router-sidecar/target/classes:$(cat "$work/classpath.txt")"

# Each flood connection is a descriptor here and one in the sidecar.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

"$java" -cp "$cp" \
  -Dabuse.connections="${ABUSE_CONNECTIONS:-5000}" \
  -Dabuse.upstreamBytes="${ABUSE_UPSTREAM_BYTES:-10737418240}" \
  io.aihandler.router.abuse.AbuseFloods "$profile" 2>&1 | tee "$work/$profile.log"
