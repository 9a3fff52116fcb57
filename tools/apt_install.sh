#!/usr/bin/env bash
# tools/apt_install.sh "<what needs them>" PACKAGE…: install Debian packages with apt-get when this user may
# (root, or sudo without a password); otherwise one line says what to install. Quiet unless apt-get fails.
set -euo pipefail

what="$1"; shift
if ! command -v apt-get >/dev/null; then
  echo "error: $what: install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "error: $what: run \`sudo apt-get install $*\`, then make test again" >&2
  exit 1
fi
echo "Installing $* with apt-get (once)…"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's chatter (debconf notices…) only matters when it fails
if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
         --no-install-recommends "$@"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "error: apt-get could not install $* (above); install them by hand, then make test again" >&2
  exit 1
fi
