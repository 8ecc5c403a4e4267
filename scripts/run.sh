#!/usr/bin/env bash
# Builds corekv in release mode and runs it in the foreground with the given arguments, e.g.
#   scripts/run.sh                      # defaults: port 6379, one shard per CPU
#   scripts/run.sh redis.conf --port 7000 --shards 4
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p corekv-server
exec target/release/corekv-server "$@"
