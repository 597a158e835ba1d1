#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked, once per lockfile: a second run is instant.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
stamp="node_modules/.package-lock.sha256"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
echo "[deps] installing npm packages from package-lock.json" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
