#!/usr/bin/env bash
# Installs the `companyos` command as a .NET global tool from this checkout, so that the commands it prints
# (`companyos approve …`, `companyos resume …`) work as typed from any directory. Re-running updates it.
# Usage: scripts/install.sh            (global: ~/.dotnet/tools must be on PATH)
#        scripts/install.sh --tool-path DIR
set -euo pipefail
cd "$(dirname "$0")/.."
artifacts="$(pwd)/artifacts/tool"
rm -rf "$artifacts"
dotnet pack src/CompanyOs.Cli -c Release -o "$artifacts" -nologo -v quiet
where=(--global)
if [ "${1:-}" = "--tool-path" ]; then where=(--tool-path "$2"); fi
dotnet tool uninstall "${where[@]}" companyos >/dev/null 2>&1 || true
dotnet tool install "${where[@]}" --add-source "$artifacts" companyos
echo "Installed. Try: companyos demo   (run it inside a project with config/llm.yaml, or pass -c)"
