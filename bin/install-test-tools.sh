# Installs the Debian packages the tests use when they are missing and this machine can install
# them (root and apt-get). Source it from bash:
#   . bin/install-test-tools.sh && install_test_tools
# Prometheus (with promtool) proves every PromQL expression and alert rule the project ships. When it
# ends up installed, AIHANDLER_REQUIRE_PROMETHEUS=true makes its absence a test failure rather than
# a skipped test; without it, the tests that need it say so and are skipped.

install_test_tools() {
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing Debian's prometheus package for the tests" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus >/dev/null 2>&1; } ||
        echo "warning: could not install prometheus; the tests that need it will be skipped" >&2
    else
      echo "warning: prometheus is not installed and this machine cannot install it (needs root" \
        "and apt-get); the tests that need it will be skipped" >&2
    fi
  fi
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    export AIHANDLER_REQUIRE_PROMETHEUS=true
  fi
}
