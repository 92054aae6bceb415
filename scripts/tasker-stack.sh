#!/usr/bin/env bash
# The real tasker-core stack on one Debian 12 machine, for local use and CI:
# PostgreSQL 15 with the pgmq extension and our uuidv7() shim, tasker-core's migrations, and the
# tasker-core 0.1.8 orchestration server on loopback. Runs as root (apt, the PostgreSQL cluster).
#
#   scripts/tasker-stack.sh start     install what is missing, start what is not running (idempotent)
#   scripts/tasker-stack.sh stop      stop what start started: the server, PostgreSQL if it started it
#   scripts/tasker-stack.sh status    report both; exit 0 only when the stack answers
#   scripts/tasker-stack.sh reset     stop the server, drop and recreate the tasker database, start
#
# After start, $STATE_DIR/worker.env holds the environment a worker process needs
# (set -a; . "$STATE_DIR/worker.env"; set +a).
#
# Settings (environment):
#   TASKER_STACK_DIR          state directory: pid file, logs, worker.env
#                             (default ~/.cache/tasker-worker-jakarta/stack)
#   CARGO_TARGET_DIR          Cargo target directory shared with the bridge build
#                             (default ~/.cache/tasker-worker-jakarta/bridge-target)
#   TASKER_STACK_SKIP_BUILD   1: do not run cargo when the binaries already exist
#   TASKER_STACK_TIMEOUT      seconds to wait for the server's readiness (default 180)
#   TASKER_PGMQ_CRATE_VERSION the pgmq crate whose packaged extension files are installed (default 0.33.5)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE_DIR=${TASKER_STACK_DIR:-$HOME/.cache/tasker-worker-jakarta/stack}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tasker-worker-jakarta/bridge-target}
CARGO_HOME_DIR=${CARGO_HOME:-$HOME/.cargo}
[[ -d $CARGO_HOME_DIR/bin ]] && PATH=$CARGO_HOME_DIR/bin:$PATH

PG_VERSION=15
PG_CLUSTER=main
PG_DEFAULT_PORT=5432
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
DB_NAME=tasker DB_USER=tasker DB_PASSWORD=tasker
PGMQ_CRATE_VERSION=${TASKER_PGMQ_CRATE_VERSION:-0.33.5}
# The bundled worker TOML points its orchestration client at this address, so it is fixed.
ORCH_ADDR=127.0.0.1:8080
ORCH_URL=http://$ORCH_ADDR
READY_TIMEOUT=${TASKER_STACK_TIMEOUT:-180}
# info, without sqlx's "slow statement" warning for every pgmq long poll (read_with_poll waits ~5 s)
RUST_LOG_DEFAULT=info,sqlx::query=error

MANIFEST=$ROOT/src/main/bridge/Cargo.toml
RELEASE_DIR=$CARGO_TARGET_DIR/release
MIGRATE_BIN=$RELEASE_DIR/tasker-stack-migrate
SERVER_BIN=$RELEASE_DIR/tasker-stack-server
BRIDGE_LIB=$RELEASE_DIR/libtasker_bridge.so
ORCH_TOML=$ROOT/src/main/resources/tasker/tasker-core/orchestration.toml
WORKER_TOML=$ROOT/src/main/resources/tasker/tasker-core/worker.toml
UUIDV7_SQL=$ROOT/scripts/sql/uuidv7.sql

SERVER_PID=$STATE_DIR/server.pid
SERVER_LOG=$STATE_DIR/server.log
BUILD_LOG=$STATE_DIR/build.log
PG_MARK=$STATE_DIR/postgres.started-by-script
WORKER_ENV=$STATE_DIR/worker.env

T0=$SECONDS
INSTALLED_PG=0
log() { printf '[tasker-stack %4ss] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { printf '[tasker-stack] error: %s\n' "$*" >&2; exit 1; }

as_postgres() { runuser -u postgres -- "$@"; }
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }

# The script holds an flock on fd 9 while it works; every daemon it starts gets 9>&- so that it
# does not inherit the descriptor and keep the lock for its whole life.

# --- packages -----------------------------------------------------------------------------------

PACKAGES=(postgresql-15 postgresql-client-15 protobuf-compiler libprotobuf-dev build-essential curl)

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "packages: all present"
    return
  fi
  [[ " ${missing[*]} " == *" postgresql-$PG_VERSION "* ]] && INSTALLED_PG=1
  log "packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # 9>&-: nothing started here (postgresql's postinst starts the cluster) may inherit the lock
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$STATE_DIR/apt.log" 2>&1 9>&- ||
    { tail -n 30 "$STATE_DIR/apt.log" >&2; die "apt-get install failed (log: $STATE_DIR/apt.log)"; }
}

# --- PostgreSQL ---------------------------------------------------------------------------------

cluster_field() { # $1 = column number of pg_lsclusters -h (3 port, 4 status)
  pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null | awk -v c="$1" '{print $c}'
}

cluster_online() { [[ $(cluster_field 4) == online* ]]; }

ensure_postgres() {
  if [[ -z $(cluster_field 1) ]]; then
    log "postgres: creating cluster $PG_VERSION/$PG_CLUSTER on port $PG_DEFAULT_PORT"
    pg_createcluster --port "$PG_DEFAULT_PORT" "$PG_VERSION" "$PG_CLUSTER" >"$STATE_DIR/createcluster.log" 2>&1 9>&- ||
      { cat "$STATE_DIR/createcluster.log" >&2; die "pg_createcluster failed"; }
  fi
  PG_PORT=$(cluster_field 3)
  [[ $PG_PORT == "$PG_DEFAULT_PORT" ]] ||
    log "postgres: note: cluster $PG_VERSION/$PG_CLUSTER listens on port $PG_PORT, not $PG_DEFAULT_PORT"
  if cluster_online; then
    log "postgres: cluster $PG_VERSION/$PG_CLUSTER already running on port $PG_PORT"
    # started by the package's own postinst, just now: this script's doing, so stop stops it
    ((INSTALLED_PG)) && : >"$PG_MARK"
  else
    log "postgres: starting cluster $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start 9>&- || die "pg_ctlcluster $PG_VERSION $PG_CLUSTER start failed"
    : >"$PG_MARK"
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.5
  done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL does not accept connections on 127.0.0.1:$PG_PORT"
  DATABASE_URL_STACK=postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME

  # Role and database. A superuser, for local and test use: the migrations create extensions.
  psql_admin -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SQL
  if [[ -z $(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
    psql_admin -d postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
    log "postgres: created database $DB_NAME (owner $DB_USER)"
  fi
  PGPASSWORD=$DB_PASSWORD psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -tAc 'SELECT 1' >/dev/null ||
    die "cannot log in as $DB_USER over TCP (check pg_hba.conf of $PG_VERSION/$PG_CLUSTER)"
}

# --- pgmq: the extension files from the pgmq crate's package ------------------------------------

pgmq_crate_file() {
  compgen -G "$CARGO_HOME_DIR/registry/cache/*/pgmq-$PGMQ_CRATE_VERSION.crate" | head -n 1 || true
}

fetch_pgmq_crate() {
  local crate dir
  crate=$(pgmq_crate_file)
  if [[ -z $crate ]]; then
    log "pgmq: fetching the pgmq $PGMQ_CRATE_VERSION crate"
    dir=$(mktemp -d)
    mkdir -p "$dir/src"
    : >"$dir/src/lib.rs"
    cat >"$dir/Cargo.toml" <<EOF
[package]
name = "pgmq-extension-files"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
pgmq = { version = "=$PGMQ_CRATE_VERSION", default-features = false }
EOF
    (cd "$dir" && env -u DATABASE_URL cargo fetch -q) || { rm -rf "$dir"; die "cargo fetch of pgmq $PGMQ_CRATE_VERSION failed"; }
    rm -rf "$dir"
    crate=$(pgmq_crate_file)
    [[ -n $crate ]] || die "pgmq-$PGMQ_CRATE_VERSION.crate not found in $CARGO_HOME_DIR/registry/cache after cargo fetch"
  fi
  printf '%s\n' "$crate"
}

ensure_pgmq() {
  local crate work embedded ext_dir version sql available
  crate=$(fetch_pgmq_crate)
  work=$(mktemp -d)
  embedded=pgmq-$PGMQ_CRATE_VERSION/src/install/embedded
  tar -xzf "$crate" -C "$work" "$embedded/pgmq.control" "$embedded/sql" 2>/dev/null ||
    { rm -rf "$work"; die "$crate has no $embedded/pgmq.control and sql/ (need a pgmq crate >= 0.33)"; }
  version=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$work/$embedded/pgmq.control")
  sql=$work/$embedded/sql/pgmq.sql
  [[ -n $version && -f $sql ]] || { rm -rf "$work"; die "cannot read default_version / sql/pgmq.sql from $crate"; }
  # pure SQL: nothing may need a compiled module
  ! grep -q MODULE_PATHNAME "$sql" || { rm -rf "$work"; die "pgmq $version's SQL needs a compiled module"; }

  ext_dir=$("$PG_BIN/pg_config" --sharedir)/extension
  if cmp -s "$work/$embedded/pgmq.control" "$ext_dir/pgmq.control" && cmp -s "$sql" "$ext_dir/pgmq--$version.sql"; then
    log "pgmq: extension $version already installed in $ext_dir"
  else
    log "pgmq: installing extension $version (crate pgmq $PGMQ_CRATE_VERSION) into $ext_dir"
    install -m 0644 "$work/$embedded/pgmq.control" "$ext_dir/pgmq.control"
    install -m 0644 "$sql" "$ext_dir/pgmq--$version.sql"
    # the upgrade scripts too, so ALTER EXTENSION pgmq UPDATE works after a crate bump
    local f
    for f in "$work/$embedded/sql"/pgmq--*--*.sql; do
      install -m 0644 "$f" "$ext_dir/$(basename "$f")"
    done
  fi
  rm -rf "$work"
  available=$(psql_admin -d "$DB_NAME" -tAc "SELECT default_version FROM pg_available_extensions WHERE name = 'pgmq'")
  [[ $available == "$version" ]] || die "pg_available_extensions shows pgmq '$available', expected '$version'"
  PGMQ_VERSION=$version
}

# --- uuidv7 shim --------------------------------------------------------------------------------

ensure_uuidv7() {
  psql_admin -d "$DB_NAME" -f - <"$UUIDV7_SQL" 2>&1 | { grep -v 'NOTICE' || true; } ||
    die "applying $UUIDV7_SQL failed"
  local check
  check=$(psql_admin -d "$DB_NAME" -tA <<'SQL'
WITH s AS (SELECT g, uuidv7() AS u FROM generate_series(1, 200) g)
SELECT bool_and(substr(u::text, 15, 1) = '7')
   AND bool_and(substr(u::text, 20, 1) IN ('8', '9', 'a', 'b'))
   AND count(DISTINCT u) = 200
   AND bool_and(u >= prev OR prev IS NULL)
FROM (SELECT u, lag(u) OVER (ORDER BY g) AS prev FROM s) t;
SQL
)
  [[ $check == t ]] || die "uuidv7() check failed (version nibble 7, variant, unique, time-ordered)"
  log "uuidv7: public.uuidv7() in place (version 7, time-ordered)"
}

# --- build, migrate ----------------------------------------------------------------------------

ensure_built() {
  if [[ ${TASKER_STACK_SKIP_BUILD:-0} == 1 && -x $MIGRATE_BIN && -x $SERVER_BIN ]]; then
    log "build: skipped (TASKER_STACK_SKIP_BUILD=1)"
    return
  fi
  command -v cargo >/dev/null || die "cargo not found (install Rust with rustup; Debian's rustc is too old)"
  local start=$SECONDS
  [[ -x $SERVER_BIN ]] || log "build: first build of the bridge workspace (about 600 crates; can take 20+ minutes on 2 cores), log: $BUILD_LOG"
  # never DATABASE_URL in a build: sqlx's macros would go online
  if ! env -u DATABASE_URL SQLX_OFFLINE=true PROTOC=/usr/bin/protoc \
      cargo build --release --locked --manifest-path "$MANIFEST" --bins >"$BUILD_LOG" 2>&1; then
    tail -n 40 "$BUILD_LOG" >&2
    die "cargo build failed (log: $BUILD_LOG)"
  fi
  log "build: tasker-stack-migrate, tasker-stack-server up to date ($((SECONDS - start)) s)"
}

run_migrations() {
  # the bundled worker TOML, through the foundation's own loader (the server loads its own TOML)
  DATABASE_URL=$DATABASE_URL_STACK "$MIGRATE_BIN" --check-config worker "$WORKER_TOML" | sed 's/^/    /' ||
    die "the worker TOML does not load"
  DATABASE_URL=$DATABASE_URL_STACK "$MIGRATE_BIN" | sed 's/^/    /' || die "migrations failed"
  # one statement through tasker's own PGMQ wrapper, in a rolled-back transaction
  psql_admin -d "$DB_NAME" -tA >/dev/null <<'SQL' || die "PGMQ smoke test failed"
BEGIN;
SELECT pgmq.create('tasker_stack_smoke');
SELECT tasker.pgmq_send_with_notify('tasker_stack_smoke', '{"smoke": true}'::jsonb, 0);
SELECT 1 / count(*) FROM pgmq.read('tasker_stack_smoke', 30, 1);
ROLLBACK;
SQL
  log "pgmq: create / tasker.pgmq_send_with_notify / read smoke test passed"
}

# --- orchestration server ------------------------------------------------------------------------

server_pid() { # prints the pid when our server is running
  [[ -f $SERVER_PID ]] || return 1
  local pid
  pid=$(<"$SERVER_PID")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q tasker-stack-server || return 1
  printf '%s\n' "$pid"
}

ready() { curl -fsS -m 3 -o /dev/null "$ORCH_URL/health/ready" 2>/dev/null; }

port_in_use() { (exec 3<>"/dev/tcp/${ORCH_ADDR%:*}/${ORCH_ADDR#*:}") 2>/dev/null; }

ensure_server() {
  local pid
  if pid=$(server_pid); then
    log "server: already running (pid $pid)"
  else
    rm -f "$SERVER_PID"
    port_in_use && die "$ORCH_ADDR is taken by another process; the orchestration server needs it"
    log "server: starting tasker-stack-server on $ORCH_ADDR, log: $SERVER_LOG"
    (
      cd "$STATE_DIR"
      exec 9>&- # the server must not inherit (and hold) the script's lock
      exec env TASKER_CONFIG_PATH="$ORCH_TOML" DATABASE_URL="$DATABASE_URL_STACK" TASKER_ENV=test \
        RUST_LOG="${RUST_LOG:-$RUST_LOG_DEFAULT}" TASKER_WEB_BIND_ADDRESS="$ORCH_ADDR" \
        setsid "$SERVER_BIN" </dev/null >>"$SERVER_LOG" 2>&1
    ) &
    pid=$!
    echo "$pid" >"$SERVER_PID"
  fi
  local deadline=$((SECONDS + READY_TIMEOUT))
  until ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$SERVER_PID"
      tail -n 40 "$SERVER_LOG" >&2
      die "tasker-stack-server exited before it was ready (log: $SERVER_LOG)"
    fi
    ((SECONDS < deadline)) || die "tasker-stack-server not ready after ${READY_TIMEOUT}s (log: $SERVER_LOG)"
    sleep 0.5
  done
  log "server: ready, GET $ORCH_URL/health/ready answers 200"
}

write_worker_env() {
  cat >"$WORKER_ENV" <<EOF
TASKER_BACKEND=tasker-core
TASKER_FFI_LIBRARY_PATH=$BRIDGE_LIB
TASKER_CORE_CONFIG_PATH=$WORKER_TOML
DATABASE_URL=$DATABASE_URL_STACK
RUST_LOG=$RUST_LOG_DEFAULT
TASKER_ORCHESTRATION_URL=$ORCH_URL
EOF
  echo
  echo "The tasker-core stack is up (PostgreSQL 127.0.0.1:$PG_PORT, pgmq $PGMQ_VERSION, orchestration $ORCH_URL)."
  echo "A worker process needs ($WORKER_ENV; set -a; . $WORKER_ENV; set +a):"
  sed 's/^/  /' "$WORKER_ENV"
  [[ -f $BRIDGE_LIB ]] || echo "  (note: $BRIDGE_LIB is not built yet)"
  echo "plus TASKER_TEMPLATE_PATH, the directory of its task templates."
}

# --- commands ----------------------------------------------------------------------------------

cmd_start() {
  ((EUID == 0)) || die "start needs root (apt-get, the PostgreSQL cluster)"
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/lock"
  flock 9
  ensure_packages
  ensure_postgres
  ensure_pgmq
  ensure_uuidv7
  ensure_built
  run_migrations
  ensure_server
  write_worker_env
  log "start: done"
}

cmd_stop() {
  cmd_stop_server
  if [[ -f $PG_MARK ]]; then
    if cluster_online; then
      log "postgres: stopping cluster $PG_VERSION/$PG_CLUSTER (started by this script)"
      pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
    fi
    rm -f "$PG_MARK"
  else
    log "postgres: left as it was (not started by this script)"
  fi
}

cmd_stop_server() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/lock"
  flock 9
  local pid i
  if pid=$(server_pid); then
    log "server: stopping pid $pid (SIGTERM)"
    kill -TERM "$pid"
    for ((i = 0; i < 90; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "server: still running after 45 s, SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "server: stopped"
  else
    log "server: not running"
  fi
  rm -f "$SERVER_PID"
}

cmd_reset() {
  ((EUID == 0)) || die "reset needs root"
  cmd_stop_server
  if cluster_online; then
    PG_PORT=$(cluster_field 3)
    log "postgres: dropping database $DB_NAME"
    psql_admin -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
  fi
  exec 9>&-
  cmd_start
}

cmd_status() {
  local ok=0 pid
  PG_PORT=$(cluster_field 3)
  if [[ -z $PG_PORT ]]; then
    echo "postgres: no cluster $PG_VERSION/$PG_CLUSTER"; ok=1
  elif cluster_online; then
    echo "postgres: cluster $PG_VERSION/$PG_CLUSTER online on port $PG_PORT$([[ -f $PG_MARK ]] && echo ', started by this script')"
    if [[ -x $MIGRATE_BIN ]]; then
      DATABASE_URL=postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME "$MIGRATE_BIN" --status 2>&1 |
        sed 's/^/  /' || ok=1
    fi
  else
    echo "postgres: cluster $PG_VERSION/$PG_CLUSTER down"; ok=1
  fi
  if pid=$(server_pid); then
    if ready; then
      echo "server: running (pid $pid), $ORCH_URL/health/ready answers 200"
    else
      echo "server: running (pid $pid) but $ORCH_URL/health/ready does not answer 200"; ok=1
    fi
  else
    echo "server: not running"; ok=1
  fi
  [[ -f $WORKER_ENV ]] && echo "worker env: $WORKER_ENV"
  return "$ok"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
