#!/usr/bin/env bash
# The AI Handler demo, one command on a machine with only a JDK 21+ and no cluster:
#   bash demo/run.sh [--verbose]
# Builds what the demo needs (quietly), then runs the operator and the router sidecar against an
# embedded Kubernetes API and local stand-ins of vLLM, OpenAI, Anthropic and Gemini.
# Exits 0 when every scene's expectations held, non-zero with the reason otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=../bin/select-jdk.sh
. bin/select-jdk.sh
select_jdk

echo "Building the operator, the sidecar and the demo (./mvnw -q; the first build downloads dependencies and takes a few minutes)..."
log="$(mktemp "${TMPDIR:-/tmp}/aihandler-demo-build.XXXXXX")"
if ! ./mvnw -B -q -pl demo -am package -DskipTests >"$log" 2>&1; then
  echo "error: the build failed; its output:" >&2
  tail -n 60 "$log" >&2
  echo "(full log: $log)" >&2
  exit 2
fi
rm -f "$log"

jvm_flags=()
if [ "$JAVA_MAJOR" -ge 24 ]; then
  # Netty and protobuf in the embedded API server use sun.misc.Unsafe and native access.
  jvm_flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
classpath="demo/target/classes:$(cat demo/target/demo.classpath)"
exec "$JAVA_HOME/bin/java" ${jvm_flags[@]+"${jvm_flags[@]}"} -cp "$classpath" io.aihandler.demo.DemoMain "$@"
