# Selects a JDK 21 or newer for the build and the demo. Source it from bash:
#   . bin/select-jdk.sh && select_jdk
# It looks in JAVA_HOME, on the PATH, and under /usr/lib/jvm, /opt/java and /opt/jdk*, picks the
# newest JDK (javac included) of version 21 or above, exports JAVA_HOME and JAVA_MAJOR, and on
# JDK 24+ adds the flag that keeps Maven quiet about sun.misc.Unsafe to MAVEN_OPTS. With no such
# JDK it prints what to install and exits 1.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

select_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -d "$dir" ] && candidates+=("$dir")
  done
  local best="" best_major=0 major
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(java_major "$home/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$home" best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "error: AI Handler needs a JDK 21 or newer (javac included); none found in JAVA_HOME," >&2
    echo "       on the PATH or under /usr/lib/jvm. Install one (e.g. Temurin 21) and set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  export JAVA_MAJOR="$best_major"
  if [ "$best_major" -ge 24 ]; then
    # Maven's own dependencies use sun.misc.Unsafe, which JDK 24+ warns about.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
  echo "Using JDK $best_major at $JAVA_HOME"
}
