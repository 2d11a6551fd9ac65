#!/usr/bin/env bash
# The test command of the README and of CI: installs what the suite needs, builds, runs every test suite,
# and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== restore and build (Release)"
dotnet build Uino.Sdk.sln -c Release 2>&1 | tail -n 3
build_rc=${PIPESTATUS[0]}
if [ "$build_rc" -ne 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

echo "== .NET tests"
dotnet test Uino.Sdk.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log" \
  | grep -E "^\s+(Failed|Passed|Skipped) |Total tests|Passed!|Failed!|error" || true
test_rc=${PIPESTATUS[0]}

passed=$(grep -Eo "Passed: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo "Failed: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo "Skipped: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$skipped" -ne 0 ]; then echo "skipped tests are defects here: $skipped skipped"; failed=$((failed + skipped)); fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
