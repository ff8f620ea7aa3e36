#!/usr/bin/env bash
# make e2e: the Steward demo on 127.0.0.1:7008, then the plugin's browser test against it.
# Needs Debian's chromium (CHROMIUM_PATH to use another build) and `make install install-plugin`.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEWARD=${STEWARD:-.venv/bin/steward}
command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null || {
  echo "e2e: no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install chromium)" >&2
  exit 1
}
ready() { # the demo serves (/healthz; python, not curl: CI images may lack curl)
  .venv/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:7008/healthz', timeout=2)" \
    >/dev/null 2>&1
}
if ready; then
  echo "e2e: something already serves 127.0.0.1:7008; stop it first (the test needs the demo)" >&2
  exit 1
fi
log=$(mktemp)
setsid "$STEWARD" demo >"$log" 2>&1 &
demo=$!
trap 'kill -- -$demo 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 240); do
  ready && break
  kill -0 "$demo" 2>/dev/null || { cat "$log"; echo "e2e: steward demo exited" >&2; exit 1; }
  sleep 0.5
done
ready || { cat "$log"; echo "e2e: demo not ready" >&2; exit 1; }
cd backstage-plugin
npm run e2e
