#!/usr/bin/env bash
# Runs one fuzz target (or all) for a set time — not part of CI, which replays the corpus and a fixed number of
# fresh inputs per target (tests/Uino.Hardening.Tests). Each run appends its figures to artifacts/fuzz/report.txt.
#   scripts/fuzz.sh TARGET SECONDS [SEED]
# TARGET: safetensors | pth | model-file | training-checkpoint | image | mask | pixel-buffer | cabi | all
# A failure prints the CsCheck seed that reproduces it (UINO_FUZZ_SEED=<seed> replays it) and saves the input
# under artifacts/fuzz-crashes/; copy it to tests/Uino.Hardening.Tests/Corpus/regressions/<target>/ with a test.
# cabi needs the installed C package (build/native/install, see native-interop/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [SEED]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [SEED]}
seed=${3:-}
mkdir -p artifacts/fuzz
report=$PWD/artifacts/fuzz/report.txt
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

declare -A tests=(
  [safetensors]=SafeTensorsLoaderLoadsOrRefusesEveryMutation [pth]=PthLoaderLoadsOrRefusesEveryMutation
  [model-file]=ModelFileLoaderLoadsOrRefusesEveryMutation [training-checkpoint]=TrainingCheckpointResumeLoadsOrRefusesEveryMutation
  [image]=ImageLoaderDecodesOrRefusesEveryMutation [mask]=MaskFilesAreDecodedAndValidatedOrRefused
  [pixel-buffer]=RawBuffersSegmentOrAreRefused)

run_dotnet() {
  echo "== $1 for $seconds s ($(date -u +%FT%TZ))"
  UINO_FUZZ_SECONDS=$seconds UINO_FUZZ_SEED=$seed UINO_FUZZ_REPORT=$report \
    nice dotnet test tests/Uino.Hardening.Tests -c Release --no-build --filter "Name=${tests[$1]}" \
    --logger "console;verbosity=normal" 2>&1 | grep -E "fresh|Passed |Failed |Error Message|Set seed|saved to" || true
}

run_cabi() {
  local prefix=build/native/install tool=build/native-fuzz/uino_fuzz_cabi model=build/native-fuzz/tiny.safetensors
  [ -f "$prefix/lib/libuino.so" ] || { echo "cabi: no installed package in $prefix (build native-interop first)"; exit 1; }
  cmake -S native-interop/fuzz -B build/native-fuzz -DCMAKE_PREFIX_PATH="$PWD/$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
  nice cmake --build build/native-fuzz >/dev/null
  dotnet tests/Uino.Hardening.Child/bin/Release/net10.0/Uino.Hardening.Child.dll tiny-model "$model"
  echo "== cabi for $seconds s ($(date -u +%FT%TZ))"
  local end=$((SECONDS + seconds)) run=${seed:-1} calls=0 failed=0
  while [ $SECONDS -lt $end ]; do   # batches of 2000 calls, a new seed each, until the time is up
    out=$(nice "$tool" "$model" 2000 "$run" 2>&1) || { echo "$out" | tail -5; failed=$((failed + 1)); }
    calls=$((calls + 2000)); run=$((run + 1))
  done
  echo "cabi: $calls random C ABI calls in $seconds s (seeds ${seed:-1}..$((run - 1))), $failed failing batch(es)" | tee -a "$report"
  [ "$failed" -eq 0 ]
}

nice dotnet build tests/Uino.Hardening.Tests -c Release 2>&1 | tail -n 1
if [ "$target" = all ]; then
  for t in "${!tests[@]}"; do run_dotnet "$t"; done
  run_cabi
elif [ "$target" = cabi ]; then run_cabi
elif [ -n "${tests[$target]:-}" ]; then run_dotnet "$target"
else echo "unknown target '$target'"; exit 2
fi
