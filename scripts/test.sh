#!/usr/bin/env bash
# The test command of the README and of CI: installs what the suite needs, builds, runs every test suite,
# and ends with one line "N passed, N failed".
#   - Debian packages the suites need are listed in scripts/apt-packages.txt (one per line) and installed when
#     missing.
#   - After the .NET tests, every scripts/ci.d/*.sh runs in name order; each ends with its own
#     "N passed, N failed" line, which is added to the total (a suite that prints none counts as 1 failed).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# libtorch's OpenMP threads otherwise spin between ops; on a shared 2-core machine that makes a 2-thread frame ~25x slower.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
total_passed=0; total_failed=0

mapfile -t wanted < <(grep -Ev '^\s*(#|$)' scripts/apt-packages.txt)
missing=()
for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null; then
    echo "could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1
  fi
fi

echo "== restore and build (Release)"
dotnet build Uino.Sdk.sln -c Release 2>&1 | tail -n 3
build_rc=${PIPESTATUS[0]}
if [ "$build_rc" -ne 0 ]; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi

# One test project at a time (the viewer and hardening suites time real work and must not share 2 cores with the
# rest), each writing a TRX report; the counts come from the reports (scripts/trx-summary.py), never from console
# text. A project that exits non-zero, or leaves no report, fails even if no test said so; skipped tests fail too.
echo "== .NET tests"
results=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$results"' EXIT
codes=()
# The test projects are the ones that reference the test SDK (tests/Uino.Native.Tests is a data generator run by the
# C ABI suite, not a test project).
for project in $(grep -l "Microsoft.NET.Test.Sdk" tests/*/*.csproj | sort); do
  name=$(basename "$project" .csproj)
  echo "-- $name"
  dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal" 2>&1 | grep -E "^\s+Failed |Passed!|Failed!|error" || true
  codes+=("$name=${PIPESTATUS[0]}")
done
python3 scripts/trx-summary.py "$results" "${codes[@]}" | tee "$log"
line=$(tail -n 1 "$log")
passed=$(awk '{print $1}' <<<"$line"); failed=$(awk '{print $3}' <<<"$line")
if ! [[ "$passed" =~ ^[0-9]+$ && "$failed" =~ ^[0-9]+$ ]]; then passed=0; failed=1; echo "no .NET test summary"; fi
echo ".NET: $passed passed, $failed failed"
total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed))

for suite in scripts/ci.d/*.sh; do
  [ -e "$suite" ] || continue
  echo "== $(basename "$suite" .sh)"
  bash "$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E "^([A-Za-z.+-]+: )?[0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1 | sed -E 's/^[A-Za-z.+-]+: //')
  if [ -z "$line" ]; then p=0; f=1; else p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}'); fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
done

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
