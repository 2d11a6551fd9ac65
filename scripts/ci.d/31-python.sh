#!/usr/bin/env bash
# The Python binding: `pip install` of plugins/python, offline, into a fresh virtual environment over Debian's
# python3 (its numpy and pytest come from the system site-packages), then plugins/python/tests against the
# INSTALLED package with UINO_LIBRARY at the installed Uino package.
# Ends with one line "python: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
PLUGINS_SUITE=python
source scripts/ci.d/lib/plugins.sh

plugins_prepare

venv=build/plugins/venv
echo "== pip install plugins/python (offline) into $venv"
rm -rf "$venv"
/usr/bin/python3 -m venv --system-site-packages "$venv" || plugins_abort "could not create $venv"
# --no-build-isolation: pip would otherwise fetch setuptools from an index to build; Debian's is used instead.
"$venv/bin/pip" install --quiet --no-index --no-build-isolation plugins/python || plugins_abort "pip install failed"
"$venv/bin/python" -c "import uino; print('installed:', uino.__file__)"

export UINO_LIBRARY="$UINO_PREFIX"
plugins_pytest "$venv/bin/python" -m pytest plugins/python/tests
