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
exec bash "$(dirname "$0")/apt_install.sh" "$what" "${missing[@]}"
