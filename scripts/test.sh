#!/usr/bin/env bash
# Runs every test: formatting and lints (the Java formatter in every Maven build, rustfmt and clippy for both Rust
# crates), the engine's cargo tests, the JUnit unit tests, and the integration tests against a real
# Liberty server (including the dashboard in headless Chromium) on the embedded engine; then the workflow ITs and
# the two-worker scale-out IT again on a real tasker-core stack (PostgreSQL + PGMQ + orchestration server, started by
# scripts/tasker-stack.sh) through the bridge. Installs what is missing on a Debian machine first.
# TASKER_TEST_BACKENDS="embedded" (or "tasker-core") runs one backend only. Extra arguments go to Maven
# (e.g. scripts/test.sh -Dit.test=WorkflowIT).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v cargo >/dev/null 2>&1 || missing+=(cargo)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
# The dashboard IT drives Debian's headless Chromium over the DevTools protocol.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing: ${missing[*]} (install them, or run as root to install them automatically)" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

java -version 2>&1 | sed -n 1p   # sed reads to the end: head would close the pipe early, and pipefail fails on that
mvn -v | sed -n 1p
cargo --version

# A Liberty server left over from an interrupted run would hold port 9080.
pid_file=target/liberty/wlp/usr/servers/.pid/defaultServer.pid
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "Stopping a leftover Liberty server (pid $(cat "$pid_file"))"
  target/liberty/wlp/bin/server stop defaultServer || true
fi

# Formatting and lints that every backend shares. The Java formatting is checked by Maven itself (spotless:check in the
# validate phase; mvn spotless:apply fixes it). Clippy for the bridge runs with the tasker-core backend, which builds
# the bridge anyway; both lint in the release profile, whose dependency metadata the release builds already cached.
echo "== Rust formatting and lints"
cargo fmt --check --manifest-path src/main/rust/Cargo.toml
cargo fmt --check --manifest-path src/main/bridge/Cargo.toml
CARGO_TARGET_DIR=target/rust cargo clippy --quiet --release --manifest-path src/main/rust/Cargo.toml --all-targets --locked -- -D warnings

backends=${TASKER_TEST_BACKENDS:-embedded tasker-core}
for backend in $backends; do
  case "$backend" in
    embedded)
      echo "== Tests on the embedded engine"
      mvn -B verify "$@"
      # Virtual-thread handlers need Java 21+; the build's JDK is 17. Their test runs again on the newest JDK
      # installed beside it, when there is one.
      newest_jdk="" newest_version=0
      for jdk in /usr/lib/jvm/*/; do
        [ -x "${jdk}bin/java" ] || continue
        version=$("${jdk}bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | sed -n 1p) || true
        if [ -n "$version" ] && [ "$version" -ge 21 ] && [ "$version" -gt "$newest_version" ]; then
          newest_jdk=$jdk newest_version=$version
        fi
      done
      if [ -n "$newest_jdk" ]; then
        echo "== Virtual-thread handlers on Java $newest_version ($newest_jdk)"
        JAVA_HOME=$newest_jdk mvn -B -q test -Dtest=VirtualThreadHandlersTest -Dsurefire.failIfNoSpecifiedTests=false \
          -DskipCargoTests=true
      else
        echo "== No JDK 21+ beside the default one: the virtual-thread cases ran skipped"
      fi
      ;;
    tasker-core)
      echo "== Tests on the real tasker-core stack"
      # One bridge build cache for the stack script, the lints and Maven (whose own default follows the JVM's
      # user.home, which need not be $HOME).
      bridge_target="$HOME/.cache/tasker-worker-jakarta/bridge-target"
      CARGO_TARGET_DIR="$bridge_target" scripts/tasker-stack.sh start
      # The bridge's lints, before worker.env brings DATABASE_URL (the bridge builds offline, without a database).
      env -u DATABASE_URL SQLX_OFFLINE=true PROTOC=/usr/bin/protoc CARGO_TARGET_DIR="$bridge_target" \
        cargo clippy --quiet --release --manifest-path src/main/bridge/Cargo.toml --all-targets --locked -- -D warnings
      stack_dir=${TASKER_STACK_DIR:-$HOME/.cache/tasker-worker-jakarta/stack}
      # DATABASE_URL and the orchestration address for the worker (the bridge reads them) and the ITs.
      set -a
      # shellcheck disable=SC1091
      . "$stack_dir/worker.env"
      set +a
      if ! mvn -B verify -Ptasker-core,real-stack-it -DskipCargoTests=true -Dbridge.target="$bridge_target" "$@"; then
        # An orchestration server error reaches the ITs only as its HTTP code; its cause is in the server's log.
        echo "== The orchestration server's errors and warnings (last 40 of $stack_dir/server.log)"
        grep -E '(ERROR|WARN)' "$stack_dir/server.log" | tail -n 40 || true
        exit 1
      fi
      ;;
    *)
      echo "Unknown backend '$backend' in TASKER_TEST_BACKENDS (embedded, tasker-core)" >&2
      exit 2
      ;;
  esac
done
