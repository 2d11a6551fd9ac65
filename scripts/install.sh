#!/usr/bin/env bash
# Puts `uino` on the PATH: a link to scripts/uino of this clone (which builds once, then runs the built binary) in
# /usr/local/bin when writable, else ~/.local/bin. Run it again after moving the clone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=/usr/local/bin
[ -w "$dir" ] || { dir="$HOME/.local/bin"; mkdir -p "$dir"; }
ln -sfn "$root/scripts/uino" "$dir/uino"
"$root/scripts/uino" --version >/dev/null
echo "uino -> $root/scripts/uino (in $dir)"
case ":$PATH:" in *":$dir:"*) ;; *) echo "add $dir to your PATH";; esac
