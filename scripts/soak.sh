#!/usr/bin/env bash
# Soak of the live path for MINUTES: the .NET API (embedded default model) and, when the installed C package is
# there (build/native/install), the C ABI (same model file), side by side. Each samples RSS, open descriptors and
# threads every 10 s into artifacts/soak/*.csv and prints the growth after its warm-up (20% of the run, at least
# 2 minutes). One intra-op thread each: the figures are about growth, not speed.
#   scripts/soak.sh MINUTES
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: scripts/soak.sh MINUTES}
mkdir -p artifacts/soak
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
nice dotnet build tests/Uino.Hardening.Child -c Release 2>&1 | tail -n 1
child=tests/Uino.Hardening.Child/bin/Release/net10.0/Uino.Hardening.Child.dll
pids=()
nice dotnet "$child" soak "$minutes" "artifacts/soak/api-${minutes}min.csv" default 10 > "artifacts/soak/api-${minutes}min.txt" 2>&1 &
pids+=($!)
if [ -f build/native/install/lib/libuino.so ]; then
  cmake -S native-interop/fuzz -B build/native-fuzz -DCMAKE_PREFIX_PATH="$PWD/build/native/install" -DCMAKE_BUILD_TYPE=Release >/dev/null
  nice cmake --build build/native-fuzz >/dev/null
  nice build/native-fuzz/uino_soak_cabi "$minutes" "artifacts/soak/cabi-${minutes}min.csv" sdk/models/uino-default.safetensors \
    > "artifacts/soak/cabi-${minutes}min.txt" 2>&1 &
  pids+=($!)
else
  echo "no installed C package in build/native/install: C ABI soak not run"
fi
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
cat artifacts/soak/*-"${minutes}"min.txt
exit $rc
