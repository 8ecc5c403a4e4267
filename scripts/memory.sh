#!/usr/bin/env bash
# Bytes per element of corekv beside redis-server, for the same data loaded the same way.
#
# usage: scripts/memory.sh           (builds corekv in release mode first)
# env:   N=1000000 SMALL=100000 SHARDS=2 REDIS_SERVER=redis-server BUILD=0 to skip the build
#
# Workloads (each loaded into a fresh server, through redis-cli --pipe):
#   hash     one hash of N fields   (f<i> -> v<i>)
#   set      one set of N members   (m<i>, strings: hashtable)
#   intset   one set of N integers  (hashtable past set-max-intset-entries, as in Redis)
#   zset     one sorted set of N members (score i)
#   list     one list of N elements (quicklist)
#   small    SMALL hashes of 5 fields each (listpack encoded), per field
# For each it prints used_memory growth divided by the element count, for both servers, and
# the ratio corekv/redis (below 1 means corekv is smaller). Servers are stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
SMALL=${SMALL:-100000}
SHARDS=${SHARDS:-2}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
COREKV=${COREKV:-target/release/corekv-server}
WORKLOADS=${WORKLOADS:-"hash set intset zset list small"}

command -v redis-cli >/dev/null || { echo "redis-cli not found (apt-get install redis-tools)" >&2; exit 2; }
if [ "${BUILD:-1}" = 1 ]; then
    cargo build --release -p corekv-server >&2
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

start_server() { # name port -> pid
    local name=$1 port=$2
    case $name in
        corekv) "$COREKV" --port "$port" --bind 127.0.0.1 --shards "$SHARDS" --save '' >/dev/null 2>&1 & ;;
        redis) "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile '' >/dev/null 2>&1 & ;;
    esac
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && { echo "$pid"; return; }
        sleep 0.05
    done
    echo "server $name did not start" >&2
    exit 1
}

used_memory() {
    redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1=="used_memory"{print $2}'
}

# Writes the RESP commands of workload $1 to stdout and its element count to fd 3.
generate() {
    python3 - "$1" "$N" "$SMALL" <<'EOF'
import sys
w, n, small = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    out.write(b"".join(parts))
B = 100
count = n
if w == "hash":
    for s in range(0, n, B):
        args = []
        for i in range(s, min(n, s + B)):
            args += [f"f{i}", f"v{i}"]
        cmd("HSET", "big", *args)
elif w in ("set", "intset"):
    for s in range(0, n, B):
        cmd("SADD", "big", *[(f"m{i}" if w == "set" else i) for i in range(s, min(n, s + B))])
elif w == "zset":
    for s in range(0, n, B):
        args = []
        for i in range(s, min(n, s + B)):
            args += [i, f"m{i}"]
        cmd("ZADD", "big", *args)
elif w == "list":
    for s in range(0, n, B):
        cmd("RPUSH", "big", *[f"e{i}" for i in range(s, min(n, s + B))])
elif w == "small":
    for i in range(small):
        cmd("HSET", f"h:{i}", "a", i, "b", "x", "c", "yy", "d", i * 7, "e", "zzz")
    count = small * 5
print(count, file=sys.stderr)
EOF
}

SERVERS=(corekv)
command -v "$REDIS_SERVER" >/dev/null && SERVERS+=(redis)

printf '%-8s %12s %14s %14s %8s\n' workload elements corekv_B/elem redis_B/elem ratio
for w in $WORKLOADS; do
    data=$(mktemp)
    count=$(generate "$w" 2>&1 >"$data")
    declare -A per=()
    for name in "${SERVERS[@]}"; do
        port=$(free_port)
        pid=$(start_server "$name" "$port")
        before=$(used_memory "$port")
        redis-cli -p "$port" --pipe <"$data" >/dev/null
        after=$(used_memory "$port")
        per[$name]=$(python3 -c "print(f'{($after - $before) / $count:.1f}')")
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    done
    rm -f "$data"
    ratio="-"
    if [ -n "${per[redis]:-}" ]; then
        ratio=$(python3 -c "print(f'{${per[corekv]} / ${per[redis]}:.2f}x')")
    fi
    printf '%-8s %12s %14s %14s %8s\n' "$w" "$count" "${per[corekv]}" "${per[redis]:--}" "$ratio"
    unset per
done
