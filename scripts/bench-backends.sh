#!/usr/bin/env bash
# Backend benchmark: the same one-step workload on the embedded engine, on the real tasker-core stack with one
# Liberty worker, and with two workers, in one run (src/test/java/io/tasker/worker/bench/BackendBenchmark.java
# measures; this script starts and stops the servers). Prints steps/s and create -> handler start (p50, p99) with
# ratios to the embedded engine. BENCH_TASKS (default 1000) sets the throughput burst.
set -euo pipefail
cd "$(dirname "$0")/.."

tasks=${BENCH_TASKS:-1000}
wlp=target/liberty/wlp
servers=$wlp/usr/servers
out=$(mktemp)
started=()

cleanup() {
  for s in "${started[@]}"; do "$wlp/bin/server" stop "$s" >/dev/null 2>&1 || true; done
  rm -f "$out"
}
trap cleanup EXIT

echo "== Building the WAR with the bridge (-Ptasker-core)"
mvn -B -q -Ptasker-core -DskipTests -DskipCargoTests=true package liberty:create liberty:deploy

# A copy of the build's defaultServer (config and loose app) on its own port, with extra JVM options.
make_server() {
  local name=$1 port=$2; shift 2
  rm -rf "${servers:?}/$name"
  mkdir -p "$servers/$name"
  (cd "$servers/defaultServer" && tar --exclude=./logs --exclude=./workarea --exclude=./tasker-data -cf - .) \
    | (cd "$servers/$name" && tar -xf -)
  grep -v '^http.port=' "$servers/defaultServer/bootstrap.properties" > "$servers/$name/bootstrap.properties" || true
  echo "http.port=$port" >> "$servers/$name/bootstrap.properties"
  for opt in "$@"; do echo "$opt" >> "$servers/$name/jvm.options"; done
}

start_server() {
  local name=$1 port=$2
  "$wlp/bin/server" start "$name" >/dev/null
  started+=("$name")
  for _ in $(seq 1 300); do
    if curl -fsS "http://localhost:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "server $name not ready on $port" >&2
  tail -50 "$servers/$name/logs/messages.log" >&2 || true
  exit 1
}

bench() { java src/test/java/io/tasker/worker/bench/BackendBenchmark.java "$@" "$tasks" "$out"; }

echo "== Embedded engine (durable data directory), one worker"
make_server bench-embedded 9480
start_server bench-embedded 9480
bench embedded http://localhost:9480 http://localhost:9480/api/tasks
"$wlp/bin/server" stop bench-embedded >/dev/null

echo "== tasker-core stack"
scripts/tasker-stack.sh start
stack_dir=${TASKER_STACK_DIR:-$HOME/.cache/tasker-worker-jakarta/stack}
set -a
# shellcheck disable=SC1091
. "$stack_dir/worker.env"
set +a
orchestration=${TASKER_ORCHESTRATION_URL:-http://127.0.0.1:8080}
make_server bench-core-a 9481 -Dtasker.backend=tasker-core
start_server bench-core-a 9481
bench tasker-core-1-worker http://localhost:9481 "$orchestration/v1/tasks"
make_server bench-core-b 9482 -Dtasker.backend=tasker-core
start_server bench-core-b 9482
bench tasker-core-2-workers http://localhost:9481 "$orchestration/v1/tasks"

echo
echo "| backend | steps/s | ratio | create -> handler start p50 (ms) | p99 (ms) |"
echo "| --- | --- | --- | --- | --- |"
awk -F'\t' 'NR == 1 { base = $2 } { printf "| %s | %s | %.2f | %s | %s |\n", $1, $2, $2 / base, $3, $4 }' "$out"
