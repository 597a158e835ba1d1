#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked, once per lockfile and Node major: a second
# run is instant.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
stamp="node_modules/.package-lock.sha256"
# The Node major too: the tree is the same on every Node (platform packages are chosen by OS
# and CPU), but install scripts (@swc/core, @parcel/watcher) ran under the previous one.
want="$(sha256sum package-lock.json | cut -d' ' -f1) node$(node -p 'process.versions.node.split(".")[0]')"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
echo "[deps] installing npm packages from package-lock.json" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
