#!/usr/bin/env bash
# Rebuilds the committed SPIR-V from the GLSL beside it. Run after editing a shader (Debian: apt-get install
# glslang-tools); the viewer tests fail when a .spv no longer matches its source.
set -euo pipefail
cd "$(dirname "$0")"
for s in overlay.vert overlay.frag; do glslangValidator -V --quiet -o "$s.spv" "$s"; done
