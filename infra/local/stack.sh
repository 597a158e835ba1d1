#!/usr/bin/env bash
# The local real stack: Apache Kafka (single-node KRaft) and mongo-java-server (the MongoDB
# wire protocol in one JVM), both on 127.0.0.1, installed from Maven Central only.
#
#   stack.sh install   fetch both servers' jars into the cache, compile our launcher (idempotent)
#   stack.sh up        install if needed, start both, wait until they answer
#   stack.sh down      stop both (SIGTERM, then SIGKILL after a grace period)
#   stack.sh status    what runs, where, and where the logs are
#   stack.sh env       print the connection settings as `export` lines
#   stack.sh reset     down, then delete this stack's data
#   stack.sh stop kafka|mongo, stack.sh start kafka|mongo
#                      one server at a time (the chaos scenarios take one away)
#
# Slow artefacts live in a cache shared by every clone on the machine
# (CONNECT_STACK_CACHE, default ~/.cache/connect-provisioning); data, logs and pids live
# in STACK_DIR (default <repo>/.stack/dev), so two clones do not share data.
# STACK_MONGO_BACKEND picks the database's storage: h2 (a file under STACK_DIR that survives
# restarts, the default) or memory (faster, gone when the server stops).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

KAFKA_VERSION=3.9.2
MONGO_JAVA_SERVER_VERSION=1.47.0
CACHE_DIR="${CONNECT_STACK_CACHE:-$HOME/.cache/connect-provisioning}"
STACK_DIR="${STACK_DIR:-$root/.stack/dev}"
KAFKA_PORT="${STACK_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${STACK_MONGO_PORT:-27017}"
KAFKA_HEAP="${STACK_KAFKA_HEAP:-512m}"
MONGO_BACKEND="${STACK_MONGO_BACKEND:-h2}"
# Capped: without a cap the server's RSS reached 1-2 GB under load (../shared/infra-notes.md).
MONGO_HEAP="${STACK_MONGO_HEAP:-768m}"
READY_TIMEOUT_S="${STACK_READY_TIMEOUT_S:-90}"

kafka_libs="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
mongo_libs="$CACHE_DIR/mongo-java-server-$MONGO_JAVA_SERVER_VERSION/libs"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
elapsed_s() { awk -v s="$1" -v e="$(now_ms)" 'BEGIN { printf "%.1f", (e - s) / 1000 }'; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

require_tool() {
  local tool="$1" apt_pkg="$2"
  command -v "$tool" >/dev/null 2>&1 && return 0
  if [[ -n "$apt_pkg" && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "$tool is missing; installing Debian package $apt_pkg"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$apt_pkg" >/dev/null
    command -v "$tool" >/dev/null 2>&1 && return 0
  fi
  die "$tool is required for the local stack (install ${apt_pkg:-it}), or point KAFKA_BROKERS and MONGODB_URI at servers of your own"
}

# --- install -------------------------------------------------------------------------

# Copies a small pom's runtime dependencies into a folder. Maven's own output (even with -q it
# prints terminal escape codes) goes to a log, shown only when the fetch fails.
maven_fetch() {
  local pom="$1" out="$2"; shift 2
  local log="$out.maven.log"
  mvn -q -B -f "$pom" "$@" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$out" >"$log" 2>&1 ||
    { cat "$log" >&2; die "Maven could not fetch the jars of $pom (log above)"; }
}

install_kafka() {
  if [[ -f "$kafka_libs/.complete" ]]; then return 0; fi
  require_tool java openjdk-17-jre-headless
  require_tool mvn maven
  local t0; t0=$(now_ms)
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $kafka_libs"
  rm -rf "$kafka_libs" && mkdir -p "$kafka_libs"
  maven_fetch "$here/kafka/pom.xml" "$kafka_libs" -Dkafka.version="$KAFKA_VERSION"
  [[ -f "$kafka_libs/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "Maven did not deliver kafka_2.13-$KAFKA_VERSION.jar"
  touch "$kafka_libs/.complete"
  log "kafka jars ready in $(elapsed_s "$t0")s"
}

install_mongo() {
  if [[ ! -f "$mongo_libs/.complete" ]]; then
    require_tool java openjdk-17-jre-headless
    require_tool mvn maven
    local t0; t0=$(now_ms)
    log "fetching mongo-java-server $MONGO_JAVA_SERVER_VERSION jars from Maven Central into $mongo_libs"
    rm -rf "$mongo_libs" && mkdir -p "$mongo_libs"
    maven_fetch "$here/mongo/pom.xml" "$mongo_libs" \
      -Dmongo-java-server.version="$MONGO_JAVA_SERVER_VERSION"
    [[ -f "$mongo_libs/mongo-java-server-core-$MONGO_JAVA_SERVER_VERSION.jar" ]] ||
      die "Maven did not deliver mongo-java-server-core-$MONGO_JAVA_SERVER_VERSION.jar"
    touch "$mongo_libs/.complete"
    log "mongo-java-server jars ready in $(elapsed_s "$t0")s"
  fi
  local classes; classes=$(mongo_launcher_dir)
  if [[ ! -f "$classes/MongoLauncher.class" ]]; then
    require_tool javac openjdk-17-jdk-headless
    local tmp; tmp=$(mktemp -d "$classes.XXXXXX")
    javac -nowarn -d "$tmp" -cp "$mongo_libs/*" "$here/mongo/MongoLauncher.java" >&2
    # Another clone may have compiled the same source meanwhile: either copy will do.
    mv -T "$tmp" "$classes" 2>/dev/null || rm -rf "$tmp"
  fi
}

# The compiled launcher's folder carries a hash of its source, so a change recompiles it.
mongo_launcher_dir() {
  local sum; sum=$(sha256sum "$here/mongo/MongoLauncher.java" | cut -c1-12)
  printf '%s/launcher-%s' "$(dirname "$mongo_libs")" "$sum"
}

cmd_install() {
  install_kafka
  install_mongo
}

# --- run -----------------------------------------------------------------------------
# Servers start in a session of their own (setsid): stopping the shell, test run or job that
# started them (Ctrl-C, a process-group kill) must not take them down; `down` stops them.

wait_for() {
  local what="$1" check="$2" pidfile="$3" logfile="$4" t0="$5"
  local deadline=$(( $(date +%s) + READY_TIMEOUT_S ))
  until eval "$check"; do
    if ! pid_alive "$pidfile"; then
      tail -n 40 "$logfile" >&2 || true
      die "$what exited during start-up; its log is $logfile"
    fi
    if (( $(date +%s) > deadline )); then
      tail -n 40 "$logfile" >&2 || true
      die "$what not ready after ${READY_TIMEOUT_S}s; its log is $logfile"
    fi
    sleep 0.2
  done
  log "$what ready in $(elapsed_s "$t0")s"
}

check_port_free() {
  local port="$1" what="$2" env_name="$3"
  if port_open "$port"; then
    die "port $port (for $what) is taken by another process; stop it, or set $env_name to a free port"
  fi
}

start_kafka() {
  local dir="$STACK_DIR/kafka" pidfile="$STACK_DIR/kafka.pid" logfile="$STACK_DIR/kafka.log"
  if pid_alive "$pidfile"; then log "kafka already running (pid $(cat "$pidfile"))"; return 0; fi
  check_port_free "$KAFKA_PORT" kafka STACK_KAFKA_PORT
  check_port_free "$CONTROLLER_PORT" "the kafka controller" STACK_KAFKA_CONTROLLER_PORT
  local t0; t0=$(now_ms)
  mkdir -p "$dir/data"
  : >"$logfile" # one log per start, so the readiness check reads this start's lines only
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" \
    -e "s#@DATA_DIR@#$dir/data#g" "$here/kafka/server.properties.template" >"$dir/server.properties"
  local java_opts=(-Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -Djava.awt.headless=true -Dlog4j.configuration="file:$here/kafka/log4j.properties")
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    # A Kafka cluster id is 16 random bytes in URL-safe base64. One starting with "-" would be
    # read as an option by the storage tool (Kafka's own generator avoids them too).
    local cluster_id
    cluster_id=$(node -e 'const c = require("crypto"); let id; do { id = c.randomBytes(16).toString("base64url"); } while (id.startsWith("-")); process.stdout.write(id)')
    java "${java_opts[@]}" -cp "$kafka_libs/*" kafka.tools.StorageTool format \
      --cluster-id="$cluster_id" -c "$dir/server.properties" --ignore-formatted >>"$logfile" 2>&1 ||
      { tail -n 20 "$logfile" >&2; die "formatting kafka storage failed; see $logfile"; }
  fi
  setsid nohup java "${java_opts[@]}" -cp "$kafka_libs/*" kafka.Kafka "$dir/server.properties" \
    >>"$logfile" 2>&1 9>&- &
  echo $! >"$pidfile"
  wait_for kafka "grep -q 'Kafka Server started' '$logfile' && port_open $KAFKA_PORT" \
    "$pidfile" "$logfile" "$t0"
}

start_mongo() {
  local pidfile="$STACK_DIR/mongo.pid" logfile="$STACK_DIR/mongo.log"
  if pid_alive "$pidfile"; then log "mongo already running (pid $(cat "$pidfile"))"; return 0; fi
  check_port_free "$MONGO_PORT" mongo STACK_MONGO_PORT
  local t0; t0=$(now_ms)
  local storage=(memory)
  case "$MONGO_BACKEND" in
    memory) ;;
    h2) mkdir -p "$STACK_DIR/mongo" && storage=(h2 "$STACK_DIR/mongo/data.mv") ;;
    *) die "STACK_MONGO_BACKEND must be h2 or memory, not '$MONGO_BACKEND'" ;;
  esac
  # One log per start (the readiness check reads it); the previous one is kept beside it, so
  # the reason of an earlier crash is still there after a restart.
  [[ -f "$logfile" ]] && mv "$logfile" "$logfile.previous"
  setsid nohup java -Xmx"$MONGO_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$mongo_libs/*:$(mongo_launcher_dir)" MongoLauncher "$MONGO_PORT" "${storage[@]}" \
    >>"$logfile" 2>&1 9>&- &
  echo $! >"$pidfile"
  wait_for mongo "grep -qs 'ready on' '$logfile' && port_open $MONGO_PORT" "$pidfile" "$logfile" "$t0"
}

stop_one() {
  local what="$1" pidfile="$STACK_DIR/$1.pid"
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$what did not stop within 30s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$what stopped"
}

with_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock 9
}

cmd_up() {
  local t0; t0=$(now_ms)
  with_lock
  cmd_install
  start_mongo
  start_kafka
  log "stack up in $(elapsed_s "$t0")s (kafka 127.0.0.1:$KAFKA_PORT, mongodb 127.0.0.1:$MONGO_PORT with the $MONGO_BACKEND backend, data in $STACK_DIR)"
}

cmd_down() {
  with_lock
  stop_one kafka
  stop_one mongo
}

# One server at a time, for the chaos scenario that takes the broker or the database away.
cmd_stop_one() {
  [[ "${1:-}" == kafka || "${1:-}" == mongo ]] || die "stop: name kafka or mongo"
  with_lock
  stop_one "$1"
}

cmd_start_one() {
  [[ "${1:-}" == kafka || "${1:-}" == mongo ]] || die "start: name kafka or mongo"
  with_lock
  "start_$1"
}

cmd_status() {
  local name pidfile
  for name in kafka mongo; do
    pidfile="$STACK_DIR/$name.pid"
    if pid_alive "$pidfile"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; fi
  done
  echo "kafka:    127.0.0.1:$KAFKA_PORT (log $STACK_DIR/kafka.log)"
  echo "mongo:    127.0.0.1:$MONGO_PORT, $MONGO_BACKEND backend (log $STACK_DIR/mongo.log)"
  echo "cache:    $CACHE_DIR"
}

cmd_env() {
  echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  echo "export MONGODB_URI=mongodb://127.0.0.1:$MONGO_PORT/connect-provisioning"
}

cmd_reset() {
  cmd_down
  rm -rf "$STACK_DIR/kafka" "$STACK_DIR/mongo"
  log "data deleted from $STACK_DIR"
}

case "${1:-}" in
  install) cmd_install ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  reset) cmd_reset ;;
  stop) cmd_stop_one "${2:-}" ;;
  start) cmd_start_one "${2:-}" ;;
  *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
