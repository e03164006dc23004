#!/usr/bin/env bash
# Readies what the container test (test/deploy/container.int.test.ts) needs, as root: Debian's
# docker.io, a running dockerd and the local/node:20 base image (Docker Hub is not reachable, so
# local-node-image.sh builds it from Debian packages). dockerd runs without a bridge or iptables
# rules; containers use --network host on 127.0.0.1.
# Usage: start-docker.sh <pid file>   The pid of a dockerd started here is written there (empty when
# one was already running), so the caller stops only what this script started.
# Exits non-zero, saying why on stderr, when any of it cannot be done.
set -euo pipefail
cd "$(dirname "$0")"
pid_file=${1:?usage: start-docker.sh <pid file>}
: > "$pid_file"
say() { echo "[docker] $*"; }
started=$SECONDS

[ "$(id -u)" = 0 ] || { echo "[docker] not root: cannot install or start dockerd" >&2; exit 1; }
if ! command -v dockerd >/dev/null 2>&1; then
  say "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 install -y -q docker.io >/tmp/sidecart-docker-apt.log 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=300 update -q >>/tmp/sidecart-docker-apt.log 2>&1 && apt-get -o DPkg::Lock::Timeout=300 install -y -q docker.io >>/tmp/sidecart-docker-apt.log 2>&1; } \
    || { tail -15 /tmp/sidecart-docker-apt.log >&2; echo "[docker] apt-get install docker.io failed" >&2; exit 1; }
fi

if ! docker info >/dev/null 2>&1; then
  log=/tmp/sidecart-dockerd.log
  say "starting dockerd --bridge=none --iptables=false (log: $log)"
  dockerd --bridge=none --iptables=false >"$log" 2>&1 &
  echo $! > "$pid_file"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$(cat "$pid_file")" 2>/dev/null || { tail -15 "$log" >&2; echo "[docker] dockerd exited at start" >&2; exit 1; }
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -15 "$log" >&2; echo "[docker] dockerd did not answer within 30 s" >&2; exit 1; }
fi

if ! docker image inspect local/node:20 >/dev/null 2>&1; then
  say "building the local/node:20 base image from Debian packages"
  bash ./local-node-image.sh || { echo "[docker] building local/node:20 failed" >&2; exit 1; }
fi
say "ready in $((SECONDS - started)) s: $(docker version --format 'client {{.Client.Version}}, daemon {{.Server.Version}}')"
