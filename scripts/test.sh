#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs and starts what the tests need (PostgreSQL, Redis, bubblewrap,
# python3, the npm SDKs of the server tests), builds once, runs all test projects under a hang dump and a session timeout, and ends with the line
# "N passed, M failed, K skipped" computed from the TRX results by scripts/test-summary.py. A skip not listed, with its
# reason, in tests/skips-allowed.txt counts as failed. See docs/testing.md.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need_pkgs=()
command -v bwrap >/dev/null 2>&1 || need_pkgs+=(bubblewrap)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v npm >/dev/null 2>&1 || need_pkgs+=(nodejs npm)
# The dashboard's browser tests drive Debian's chromium with Playwright; Playwright never downloads a browser here.
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "Installing: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null \
    || { echo "could not install ${need_pkgs[*]}"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi

# The official openai and @anthropic-ai/sdk npm packages, pinned by package-lock.json, for the server's NodeSdkTests.
if ! npm ci --prefix "$root/tests/CompanyOs.Server.Tests/npm" --no-audit --no-fund --loglevel=error >/dev/null; then
  echo "npm ci failed for tests/CompanyOs.Server.Tests/npm"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi

# A throw-away PostgreSQL cluster on a loopback port, removed on exit.
source "$root/scripts/postgres.sh"
start_test_postgres || { echo "PostgreSQL did not start"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# A throw-away Redis on a loopback port (the scale-out tests: shared limits, spend and cache), removed on exit.
source "$root/scripts/redis.sh"
start_test_redis || { stop_test_postgres; echo "Redis did not start"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
trap 'stop_test_postgres; stop_test_redis' EXIT

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build CompanyOs.sln -c Debug -nologo -v quiet; then
  echo "build failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi

# Each test project is an xunit v3 executable on Microsoft.Testing.Platform (global.json opts dotnet test in).
# Bounds, so that a hang fails the run instead of stalling CI:
# - hang dump: when no test of a project finishes for TEST_HANG_MINUTES (default 5), its test host is dumped (a .dmp
#   next to the TRX files, plus a *_hang.log naming the tests then running) and killed; the project then reports no
#   results and counts as failed;
# - session: each test host cancels its session after TEST_SESSION_MINUTES (default 20; the tests still running are
#   recorded as failed), and the whole dotnet test process group is killed two minutes after that.
hang_minutes=${TEST_HANG_MINUTES:-5}
session_minutes=${TEST_SESSION_MINUTES:-20}
timeout --kill-after=30s "$((session_minutes + 2))m" \
  dotnet test --solution CompanyOs.sln --no-build -c Debug --no-progress \
  --results-directory "$results" --report-xunit-trx \
  --hangdump --hangdump-timeout "${hang_minutes}m" --hangdump-type Mini --timeout "${session_minutes}m" ${TEST_ARGS:-}
test_rc=$?
if [ "$test_rc" -eq 124 ] || [ "$test_rc" -eq 137 ]; then
  echo "dotnet test outlived the session timeout (${session_minutes}m) and was killed"
fi

# The summary prints the last line and exits non-zero when anything failed (dotnet test's own exit code included).
python3 "$root/scripts/test-summary.py" --runner-exit "$test_rc" "$results" "$root/tests/skips-allowed.txt" \
  $(for d in tests/*.Tests; do basename "$d"; done)
summary_rc=$?
if [ "$summary_rc" -gt 1 ]; then
  echo "test-summary.py failed (exit $summary_rc)"; echo "0 passed, 1 failed, 0 skipped"
fi
[ "$summary_rc" -eq 0 ]
