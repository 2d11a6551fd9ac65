#!/usr/bin/env bash
# The GStreamer element uinosegment: builds plugins/gstreamer against the INSTALLED Uino package
# (find_package(Uino)), installs it to its own prefix, and runs plugins/gstreamer/tests (pytest driving
# gst-launch-1.0 and the live_reference helper) with GST_PLUGIN_PATH at that install.
# Ends with one line "gstreamer: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
PLUGINS_SUITE=gstreamer
source scripts/ci.d/lib/plugins.sh

plugins_prepare

build=build/plugins/gstreamer
echo "== build and install plugins/gstreamer"
rm -rf "$build"
cmake -S plugins/gstreamer -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$UINO_PREFIX" >/dev/null \
  && cmake --build "$build" 2>&1 | grep -E "warning|error" ; [ "${PIPESTATUS[0]}" -eq 0 ] || plugins_abort "plugin build failed"
cmake --install "$build" --prefix "$PWD/$build/install" >/dev/null || plugins_abort "plugin install failed"

export GST_PLUGIN_PATH="$PWD/$build/install/lib/gstreamer-1.0"
export GST_REGISTRY_1_0="$PWD/$build/registry.bin"          # a fresh registry: no stale copy of the plugin
export UINO_GST_LIVE_REFERENCE="$PWD/$build/live_reference"
gst-inspect-1.0 uinosegment | grep -E "^  (Long-name|Filename|Version)"

# Debian's python3 (python3-pytest, python3-numpy, python3-pil), not whatever python3 comes first on PATH.
plugins_pytest /usr/bin/python3 -m pytest plugins/gstreamer/tests
