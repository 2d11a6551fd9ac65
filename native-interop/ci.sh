#!/usr/bin/env bash
# CI for the C ABI: configure, build (dotnet publish NativeAOT -> libuino.so), install to a prefix, then build the
# C test host and the C++ example against the INSTALLED package with find_package and run them (C host also under
# valgrind), then the hardening drivers of native-interop/fuzz (memory growth check, fuzz corpus replay, fresh
# libFuzzer inputs). Ends with one line "N passed, N failed" (ctest's own summary lines are printed too).
#   native-interop/ci.sh [build-dir]      (default build/native; install prefix <build-dir>/install)
# The install prefix build/native/install is a stable location: other CI suites (scripts/ci.d) reuse the installed
# package from there rather than building libuino again, so keep the path when changing this script.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
build=${1:-build/native}
prefix="$build/install"

# scripts/test.sh installs these from scripts/apt-packages.txt; this check keeps the script usable on its own.
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v valgrind >/dev/null || need+=(valgrind)
command -v cc >/dev/null || need+=(gcc)
command -v c++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null || {
    echo "could not install ${need[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

fail() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

echo "== configure + build (dotnet publish, NativeAOT)"
cmake -S native-interop -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || fail "configure failed"
nice cmake --build "$build" 2>&1 | grep -Ev "warning IL|^\s*$" | tail -n 5
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "build failed"

echo "== install to $prefix"
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null || fail "install failed"
exports=$(nm -D --defined-only "$prefix/lib/libuino.so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort)
echo "exported functions: $(echo $exports)"
if echo "$exports" | grep -qv '^uino_'; then fail "libuino.so exports non-uino_ symbols"; fi
du -sh "$prefix" | awk '{print "installed package: " $1}'

passed=0; failed=0
count() { # ctest log -> add its numbers
  local t f
  t=$(grep -Eo "tests passed, [0-9]+ tests failed out of [0-9]+" "$1" | tail -1)
  if [ -z "$t" ]; then failed=$((failed + 1)); return; fi
  f=$(echo "$t" | awk '{print $3}'); t=$(echo "$t" | awk '{print $NF}')
  passed=$((passed + t - f)); failed=$((failed + f))
}

echo "== boundary error mapping (.NET, failures C cannot provoke)"
log=$(mktemp); trap 'rm -f "$log"' EXIT
dotnet run --no-build --project tests/Uino.Native.Tests/Uino.Native.Tests.csproj -c Release -- --check-errors 2>&1 | tee "$log"
line=$(grep -Eo "[0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
if [ -z "$line" ]; then failed=$((failed + 1)); else
  passed=$((passed + $(echo "$line" | awk '{print $1}'))); failed=$((failed + $(echo "$line" | awk '{print $3}'))); fi

echo "== C test host against the installed package"
cmake -S native-interop/tests -B "$build/ci-c-test-host" -DCMAKE_PREFIX_PATH="$PWD/$prefix" \
      -DUINO_TEST_DATA="$PWD/$build/testdata" >/dev/null && cmake --build "$build/ci-c-test-host" >/dev/null \
  && ctest --test-dir "$build/ci-c-test-host" -V 2>&1 | tee "$log" \
     | grep -E "Test +#|tests passed|passed, .* failed|FAIL|unexpected|ERROR SUMMARY|definitely lost:|cold start|model: |threads: |under load" \
     | grep -v "^[0-9]*: *Test command"
count "$log"

echo "== C++ example against the installed package (embedded default model)"
cmake -S plugins/cpp/example -B "$build/ci-cpp-example" -DCMAKE_PREFIX_PATH="$PWD/$prefix" >/dev/null \
  && cmake --build "$build/ci-cpp-example" >/dev/null \
  && "$build/ci-cpp-example/uino_example" - "$build/testdata/reference.ppm" \
       "$build/testdata/reference.mask.pgm" "$build/testdata/query.ppm" "$build/ci-cpp-example/query.mask.pgm" \
  && passed=$((passed + 1)) || { echo "C++ example failed"; failed=$((failed + 1)); }

echo "== the minimal C program of docs/c-abi.md, compiled with its documented gcc line"
doc="$build/ci-doc-c"; mkdir -p "$doc"
awk '/^## A minimal C program/{on=1} on&&/^```c$/{code=1;next} code&&/^```$/{exit} code' docs/c-abi.md > "$doc/segment.c"
(cd "$doc" && PREFIX="$OLDPWD/$prefix" \
  && gcc -std=c99 -Wall -o segment segment.c -I"$PREFIX/include" -L"$PREFIX/lib" -luino -Wl,-rpath,"$PREFIX/lib" \
  && ./segment | grep -E "^object: [0-9]+ pixels, score") \
  && passed=$((passed + 1)) || { echo "the documented C program failed"; failed=$((failed + 1)); }

# The hardening drivers (native-interop/fuzz) against the installed package, on the 56 px tiny model of the test
# data, one intra-op thread (the machine is shared): three checks, each one test of the summary line.
echo "== hardening drivers against the installed package (growth check, fuzz corpus, fresh fuzz inputs)"
fuzz="$build/ci-fuzz" model="$PWD/$build/testdata/tiny56.safetensors" corpus=native-interop/fuzz/corpus/cabi
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
check_line() { # one check: passes when $1 ends "N passed, 0 failed" with N > 0 and the exit code $2 is 0
  local line
  line=$(grep -Eo "[0-9]+ passed, [0-9]+ failed" <<<"$1" | tail -1)
  if [ -n "$line" ] && [ "$2" -eq 0 ] && [ "$(awk '{print $1}' <<<"$line")" -gt 0 ] \
     && [ "$(awk '{print $3}' <<<"$line")" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
if cmake -S native-interop/fuzz -B "$fuzz" -DCMAKE_PREFIX_PATH="$PWD/$prefix" -DCMAKE_BUILD_TYPE=Release \
     | grep -E "libFuzzer" && cmake --build "$fuzz" >/dev/null; then
  # 1. RSS slope of the live path after warm-up (the soak finding: it grew 9-17 KB per frame; docs/c-abi.md)
  out=$(nice "$fuzz/uino_growth_cabi" "$model" 1500 1000 3 2>&1); rc=$?
  echo "$out" | tail -n 2; check_line "$out" $rc
  # 2. the committed corpus, replayed without libFuzzer (any compiler)
  out=$(UINO_FUZZ_MODEL="$model" nice "$fuzz/uino_replay_cabi" "$corpus" 2>&1); rc=$?
  echo "$out" | grep -E "^cabi-|violat|abort|no longer" | tail -n 4; check_line "$out" $rc
  # 3. fresh inputs: libFuzzer (coverage of the harness's choices) seeded with the corpus, or without clang the
  #    seeded random driver; either way a few thousand, at most 45 s. New inputs go to $fuzz, never to the corpus;
  #    a failing one is saved as $fuzz/crash-* (copy it into the corpus with the fix).
  if [ -x "$fuzz/uino_fuzz_cabi_libfuzzer" ]; then
    rm -rf "$fuzz/new-inputs"; mkdir -p "$fuzz/new-inputs"
    out=$(UINO_FUZZ_MODEL="$model" nice "$fuzz/uino_fuzz_cabi_libfuzzer" -runs=3000 -max_total_time=45 -timeout=30 \
            -max_len=256 -artifact_prefix="$fuzz/" "$fuzz/new-inputs" "$corpus" 2>&1); rc=$?
    echo "$out" | grep -E "Seed:|INITED|DONE|^Done|cabi-libfuzzer|ERROR|violat|crash-" | tail -n 8
    out="$(grep -Eo "^Done [0-9]+ runs" <<<"$out" | awk '{print $2}') passed, 0 failed"   # libFuzzer's run count
  else
    seed=$(date +%s)
    echo "no clang with -fsanitize=fuzzer (scripts/apt-packages.txt: clang-14, libclang-rt-14-dev): seeded driver, seed $seed"
    out=$(timeout 60 nice "$fuzz/uino_fuzz_cabi" "$model" 3000 "$seed" 2>&1); rc=$?
    echo "$out" | tail -n 3
  fi
  check_line "$out" $rc
else
  echo "hardening drivers: configure or build failed"; failed=$((failed + 3))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
