#!/usr/bin/env bash
# `npm start`: the pipeline on the local stack. Installs what is missing, starts Kafka and
# FerretDB unless KAFKA_BROKERS and MONGODB_URI are set, builds and runs the worker in the
# foreground. Ctrl-C stops the worker; the stack keeps running (`npm run stack:down`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

bash "$here/ensure-deps.sh"
if [[ -z "${KAFKA_BROKERS:-}" || -z "${MONGODB_URI:-}" ]]; then
  bash "$here/stack.sh" up
  eval "$(bash "$here/stack.sh" env)"
fi
# Local defaults for the verification links; set your own to point at a deployed page.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:8080}"
export LOGIN_URL="${LOGIN_URL:-https://connect.visma.com/}"
npx nest build verification-worker >&2
echo "[start] verification worker on $KAFKA_BROKERS; try: npm run send:sample (in another terminal)" >&2
exec node dist/apps/verification-worker/main.js
