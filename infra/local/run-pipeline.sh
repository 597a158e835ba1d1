#!/usr/bin/env bash
# `npm start`: the pipeline on the local stack. Installs what is missing, starts Kafka and
# the local MongoDB server (its data kept under .stack/dev) unless KAFKA_BROKERS and
# MONGODB_URI are set, builds and runs the verification worker, the verification page, the
# import worker and the operations console in the foreground. Ctrl-C stops them all; the stack keeps running (`npm run stack:down`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

# The pinned Node LTS, as the tests run on (the machine's own node may be older).
PATH="$(bash "$here/ensure-node.sh"):$PATH"
export PATH
bash "$here/ensure-deps.sh"
if [[ -z "${KAFKA_BROKERS:-}" || -z "${MONGODB_URI:-}" ]]; then
  bash "$here/stack.sh" up
  eval "$(bash "$here/stack.sh" env)"
fi
# Local defaults for the verification links; set your own to point at a deployed page.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:8080}"
export LOGIN_URL="${LOGIN_URL:-https://connect.visma.com/}"
# Uploads named by file:// URIs are read only below this folder, one folder per tenant
# (npm run send:import puts its files there).
export IMPORT_FILE_ROOTS="${IMPORT_FILE_ROOTS:-$root/.import-uploads}"
mkdir -p "$root/.import-uploads"
export PAGE_PORT="${PAGE_PORT:-$(node -e 'console.log(new URL(process.argv[1]).port || 80)' "$PUBLIC_BASE_URL")}"
npx nest build verification-worker >&2
npx nest build verification-page >&2
npx nest build import-worker >&2
npx nest build ops-console >&2
# A token for the local console, new each start; set your own OPS_CONSOLE_TOKEN anywhere shared.
export OPS_CONSOLE_TOKEN="${OPS_CONSOLE_TOKEN:-$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')}"

# As the Dockerfile runs the apps: a young generation of 8 MB semi-spaces (docs/performance.md).
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=8}"
pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap stop INT TERM
node dist/apps/verification-worker/main.js &
pids+=($!)
HEALTH_PORT="${PAGE_HEALTH_PORT:-8082}" node dist/apps/verification-page/main.js &
pids+=($!)
# The import worker's heap is capped (test/support/worker-process.ts says why).
HEALTH_PORT="${IMPORT_HEALTH_PORT:-8083}" NODE_OPTIONS="$NODE_OPTIONS --max-old-space-size=256" \
  node dist/apps/import-worker/main.js &
pids+=($!)
HEALTH_PORT="${CONSOLE_HEALTH_PORT:-8085}" node dist/apps/ops-console/main.js &
pids+=($!)
echo "[start] verification worker and import worker on $KAFKA_BROKERS, verification page on $PUBLIC_BASE_URL" >&2
echo "[start] operations console on http://127.0.0.1:${OPS_CONSOLE_PORT:-8084} (operator token: $OPS_CONSOLE_TOKEN)" >&2
echo "[start] try: npm run send:sample (in another terminal); the link is in .mail-outbox/" >&2
# Any process ending stops the others: half a pipeline is not left running.
wait -n "${pids[@]}" || true
stop
