#!/usr/bin/env bash
# The C ABI suite: native-interop/ci.sh builds libuino.so (NativeAOT), installs the package to build/native/install
# (kept there on purpose: later suites reuse that install instead of building libuino again), and runs the
# boundary's error-mapping check, the C test host (+ valgrind), the C++ example and the hardening drivers (memory
# growth check, C ABI fuzz corpus replay + fresh libFuzzer inputs) against the installed package.
# Its last line, "N passed, N failed", is what scripts/test.sh adds to the total.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec bash native-interop/ci.sh build/native
