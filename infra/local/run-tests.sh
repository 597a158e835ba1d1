#!/usr/bin/env bash
# `npm test`: every check and test, on a fresh machine too. Installs what is missing (npm
# packages, the Kafka and mongo-java-server jars, chromium), starts the local stack unless
# KAFKA_BROKERS and MONGODB_URI name servers of your own, and stops what it started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

t0=$(date +%s)
# The pinned Node LTS, whatever the machine has: npx, jest and the apps the tests spawn
# (process.execPath) all find it first on PATH.
PATH="$(bash "$here/ensure-node.sh"):$PATH"
export PATH
echo "[test] node $(node --version)" >&2
bash "$here/ensure-deps.sh"
# The browser test drives Debian's chromium (playwright-core cannot download one here).
bash "$here/ensure-chromium.sh"

started_stack=0
# Set before starting: a half-started stack (one server up, the other failed) is stopped too.
stop_stack() { if [[ $started_stack == 1 ]]; then bash "$here/stack.sh" down || true; fi; }
trap stop_stack EXIT
if [[ -z "${KAFKA_BROKERS:-}" || -z "${MONGODB_URI:-}" ]]; then
  # Own data folder and ports too, so it runs beside a developer's `npm start` stack.
  export STACK_DIR="${STACK_DIR:-$root/.stack/test}"
  export STACK_KAFKA_PORT="${STACK_KAFKA_PORT:-19092}"
  export STACK_KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-19093}"
  export STACK_MONGO_PORT="${STACK_MONGO_PORT:-27117}"
  # Test data need not survive the run; the memory backend is 5-10 times faster than H2.
  export STACK_MONGO_BACKEND="${STACK_MONGO_BACKEND:-memory}"
  # Read whole before matching: with pipefail, grep -q closing the pipe early fails the
  # pipeline (SIGPIPE), and a stack someone else started was stopped at the end.
  status="$(bash "$here/stack.sh" status || true)"
  if ! grep -q '^kafka: running' <<<"$status"; then started_stack=1; fi
  bash "$here/stack.sh" up
  eval "$(bash "$here/stack.sh" env)"
else
  # Servers of your own: the chaos scenario that stops the local stack's servers is skipped.
  export CHAOS_OWN_SERVERS=1
fi
echo "[test] set-up took $(( $(date +%s) - t0 ))s" >&2

echo "[test] type check" >&2
npx tsc -p tsconfig.json --noEmit
npx tsc -p bench/tsconfig.json --noEmit
npx tsc -p chaos/tsconfig.json --noEmit
echo "[test] lint" >&2
npx eslint . --max-warnings=0
# The layers of docs/architecture.md (.dependency-cruiser.cjs): a wrong import fails here.
npm run --silent lint:deps
npx prettier --check . >/dev/null || { echo "[test] formatting differs: run npm run format" >&2; exit 1; }
echo "[test] unit and end-to-end tests" >&2
npx jest --ci "$@"
# The quick chaos scenarios: the pipeline as processes, broken on purpose (docs/guarantees.md).
echo "[test] chaos (quick subset)" >&2
node -r @swc-node/register chaos/run.ts --quick
