#!/usr/bin/env bash
# Crash soak for the agent runtime: kills a child process driving an agent run (SQLite store, the emulator as the model
# behind the gateway) with SIGKILL at random points, resumes each run and checks no event is lost and no non-idempotent
# tool runs twice.
# Usage: scripts/agent-soak.sh [trials]   (default 200; the normal test suite runs 20)
set -euo pipefail
cd "$(dirname "$0")/.."
export COMPANYOS_AGENT_CRASH_TRIALS="${1:-200}"
dotnet build tests/CompanyOs.Agents.Tests -nologo -v quiet
dotnet test --project tests/CompanyOs.Agents.Tests --no-build -- --filter-class '*CrashTests'
