#!/usr/bin/env bash
# make browser: what the browser tests need beside Python. Chromium, driven by Playwright (never a downloaded
# browser), and certutil (make trust puts the local CA in the browser's NSS database). Installed with apt-get on
# Debian and Ubuntu when this user may; otherwise one line says what to install.
set -euo pipefail

missing=()
if [ -n "${LAB_CHROMIUM:-}" ]; then
  [ -x "$LAB_CHROMIUM" ] || { echo "error: LAB_CHROMIUM=$LAB_CHROMIUM is not an executable: point it at a Chromium or Chrome binary, or unset it" >&2; exit 1; }
elif ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  missing+=(chromium)
fi
command -v certutil >/dev/null || missing+=(libnss3-tools)
[ ${#missing[@]} -eq 0 ] && exit 0

what="the browser tests need ${missing[*]} (Debian package names)"
if ! command -v apt-get >/dev/null; then
  echo "error: $what: install Chromium and NSS's certutil with your package manager, or set LAB_CHROMIUM=<path to chromium or chrome>" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "error: $what: run \`sudo apt-get install ${missing[*]}\`, then make test again" >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get (for the browser tests; once)…"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's chatter (debconf notices…) only matters when it fails
if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
         --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "error: apt-get could not install ${missing[*]} (above); install them by hand, then make test again" >&2
  exit 1
fi
