# Shared by 30-gstreamer.sh and 31-python.sh (sourced from the repository root after setting PLUGINS_SUITE, the
# word before the summary line; not a suite itself: test.sh runs only scripts/ci.d/*.sh).

UINO_PREFIX="$PWD/build/native/install"

# The CI machine is shared and oversubscribed. libgomp's default active waiting then lets idle libtorch workers spin
# on the cores the busy ones need: one segment through Python measured 2955 ms instead of 187 ms (load 25 on
# 2 cores). Passive waiting changes speed only, not results.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# "<suite>: 0 passed, 1 failed" after a message, and stop: the suite could not even get to its tests.
plugins_abort() {
  echo "$1"
  echo "$PLUGINS_SUITE: 0 passed, 1 failed"
  exit 1
}

# The installed Uino package: 20-native.sh has normally installed it already; otherwise build and install it here
# (the same commands; a few minutes: NativeAOT publish).
plugins_need_uino() {
  if [ -f "$UINO_PREFIX/lib/libuino.so" ]; then
    echo "== Uino package: reusing $UINO_PREFIX"
    return
  fi
  echo "== Uino package: building and installing to $UINO_PREFIX (NativeAOT publish, a few minutes)"
  cmake -S native-interop -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null || plugins_abort "configure failed"
  nice cmake --build build/native 2>&1 | grep -Ev "warning IL|^\s*$" | tail -n 3
  [ "${PIPESTATUS[0]}" -eq 0 ] || plugins_abort "native build failed"
  cmake --install build/native --prefix "$UINO_PREFIX" >/dev/null || plugins_abort "install failed"
}

# The uino CLI (the .NET API's masks are the tests' reference): test.sh has built it with the solution; built here
# when missing or older than any SDK/CLI source, so the reference masks never come from a stale build.
plugins_need_cli() {
  local dll=sdk/Uino.Cli/bin/Release/net10.0/uino.dll
  if [ -f "$dll" ] && [ -z "$(find sdk/Uino.Sdk sdk/Uino.Cli sdk/models \( -name bin -o -name obj \) -prune -o \
        -type f -newer "$dll" -print -quit)" ]; then
    return
  fi
  echo "== building sdk/Uino.Cli (Release)"
  nice dotnet build sdk/Uino.Cli -c Release -nodeReuse:false 2>&1 | tail -n 2
  [ "${PIPESTATUS[0]}" -eq 0 ] || plugins_abort "CLI build failed"
}

# What both suites need before their own steps: the installed package and the CLI.
plugins_prepare() {
  plugins_need_uino
  plugins_need_cli
}

# Runs pytest (arguments passed through) and ends the suite with "<suite>: N passed, N failed". Errors and skips
# count as failed (a skipped test is a defect here, as in test.sh).
plugins_pytest() {
  local log passed failed rc
  log=$(mktemp)
  "$@" -p no:cacheprovider -v -r fEsP --tb=short 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E "^=+ .*(passed|failed|error|skipped|no tests ran).* in [0-9.]+s" "$log" | tail -n 1)
  rm -f "$log"
  count() { echo "$summary" | grep -Eo "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
  passed=$(count passed)
  failed=$(( $(count failed) + $(count error) + $(count skipped) ))
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "$PLUGINS_SUITE: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
