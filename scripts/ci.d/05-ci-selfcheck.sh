#!/usr/bin/env bash
# Checks that the CI's own bookkeeping cannot pass a dead run: scripts/trx-summary.py is fed hand-made situations
# and must count a missing report, a non-zero exit without failures, an empty report and a skipped test as failures.
# Ends with "N passed, N failed" like every suite.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
passed=0; failed=0
trx() { # NAME OUTCOME...: a TRX report holding one result per outcome
  { echo '<?xml version="1.0"?><TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>'
    i=0; for o in "${@:2}"; do i=$((i + 1)); echo "<UnitTestResult testName=\"T$i\" outcome=\"$o\"/>"; done
    echo '</Results></TestRun>'; } > "$dir/$1.trx"
}
expect() { # WHAT EXPECTED_LAST_LINE ARGS...
  got=$(python3 scripts/trx-summary.py "$dir" "${@:3}" | tail -n 1)
  if [ "$got" = "$2" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1: expected '$2', got '$got'"; fi
}
expect "dotnet test died before writing a report" "0 passed, 1 failed" Dead=1
trx Crashed Passed Passed; expect "non-zero exit with every test passed" "2 passed, 1 failed" Crashed=1
trx Empty; expect "a report without tests" "0 passed, 1 failed" Empty=0
trx Skipping Passed NotExecuted; expect "a skipped test" "1 passed, 1 failed" Skipping=0
trx Failing Passed Failed; expect "a failed test" "1 passed, 1 failed" Failing=1
trx Green Passed Passed Passed; expect "a green project" "3 passed, 0 failed" Green=0
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
