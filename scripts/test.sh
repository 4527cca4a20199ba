#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs and starts what the tests need (PostgreSQL, bubblewrap),
# builds once, runs all test projects, and ends with the line "N passed, M failed" computed from the TRX results.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need_pkgs=()
command -v bwrap >/dev/null 2>&1 || need_pkgs+=(bubblewrap)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "Installing: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null \
    || { echo "could not install ${need_pkgs[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

# A throw-away PostgreSQL cluster on a loopback port, removed on exit.
source "$root/scripts/postgres.sh"
start_test_postgres || { echo "PostgreSQL did not start"; echo "0 passed, 1 failed"; exit 1; }
trap stop_test_postgres EXIT

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build CompanyOs.sln -c Debug -nologo -v quiet; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

# Each test project is an xunit v3 executable on Microsoft.Testing.Platform (global.json opts dotnet test in).
dotnet test --solution CompanyOs.sln --no-build -c Debug --no-progress \
  --results-directory "$results" --report-xunit-trx ${TEST_ARGS:-}
test_rc=$?

passed=0; failed=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
projects=$(ls -d tests/*.Tests 2>/dev/null | wc -l)
if [ "$files" -lt "$projects" ]; then
  echo "only $files of $projects test projects reported results (a test host crashed or hung)"
  failed=$((failed + projects - files))
fi
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $test_rc"
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
