#!/usr/bin/env bash
# Runs units of Redis 7.0.15's own test suite (external mode) against a fresh corekv with
# two shards, using ../shared/tools/redis-compat/run.sh (see its README).
#
# usage: scripts/compat.sh [UNIT ...]
#   default units: the ones the foundation is measured on.
# env:   SHARDS=2 REDIS_MIRROR=<redis/redis git dir> OUT_DIR=... (passed to run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNNER=${RUNNER:-../shared/tools/redis-compat/run.sh}
[ -x "$RUNNER" ] || { echo "redis-compat runner not found at $RUNNER" >&2; exit 2; }
units=("$@")
[ ${#units[@]} -gt 0 ] || units=(unit/type/string unit/keyspace unit/expire unit/protocol unit/info-command unit/quit)
cargo build --release -p corekv-server >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
target/release/corekv-server --port "$port" --bind 127.0.0.1 --shards "${SHARDS:-2}" --save '' \
    --enable-debug-command yes --enable-protected-configs yes --enable-module-command yes >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$RUNNER" "$port" "${units[@]}"
