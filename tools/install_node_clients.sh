#!/usr/bin/env bash
# make clients: the JavaScript clients the tests drive against the local cloud (amazon-cognito-identity-js under
# node), from tests/clients/node/package-lock.json with npm ci; node and npm with apt-get when missing. Again only
# when the lock file changes.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)/tests/clients/node"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  bash "$(dirname "$0")/apt_install.sh" "the JavaScript client tests need node and npm (Debian: nodejs, npm)" nodejs npm
fi
stamp="$here/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
  echo "Installing the JavaScript clients of the tests (npm ci in tests/clients/node)…"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
