#!/usr/bin/env bash
# Runs every test: the engine's cargo tests, the JUnit unit tests, and the integration tests against a real
# Liberty server (including the dashboard in headless Chromium). Installs what is missing on a Debian machine
# first. Extra arguments go to Maven (e.g. scripts/test.sh -Dit.test=WorkflowIT).
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

exec mvn -B verify "$@"
