#!/usr/bin/env bash
# Side-by-side throughput of corekv and redis-server with redis-benchmark.
#
# usage: scripts/bench.sh            (builds corekv in release mode first)
# env:   ROUNDS=3 N=200000 CLIENTS=50 SHARDS=2 TESTS="set get incr mset" PIPELINES="1 16"
#        REDIS_SERVER=redis-server COREKV_ARGS="..."   BUILD=0 to skip cargo build
#        COREKV_B=path/to/corekv-server COREKV_B_ARGS="..."  adds a second corekv ("corekv-b",
#        by default the same binary) to the same rounds: a before/after or option A/B that
#        drift cannot fake
#
# The servers run on 127.0.0.1 on free ports, one at a time, in rounds whose order
# alternates, so drift on a shared machine hits both alike. For every workload it prints the
# median requests/s of each server; the ratio corekv/redis as the median over rounds of the
# ratio within each round, and in how many rounds corekv did at least as well ("won"); and
# the server CPU time per request (all threads, from schedstat), which is steadier than
# throughput on a noisy machine.
# Servers are stopped by PID when the script exits.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
N=${N:-200000}
CLIENTS=${CLIENTS:-50}
SHARDS=${SHARDS:-2}
TESTS=${TESTS:-"set get incr mset"}
PIPELINES=${PIPELINES:-"1 16"}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
COREKV=${COREKV:-target/release/corekv-server}

command -v redis-benchmark >/dev/null || { echo "redis-benchmark not found (apt-get install redis-tools)" >&2; exit 2; }
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
        corekv) "$COREKV" --port "$port" --bind 127.0.0.1 --shards "$SHARDS" --save '' ${COREKV_ARGS:-} >/dev/null 2>&1 & ;;
        corekv-b) "${COREKV_B:-$COREKV}" --port "$port" --bind 127.0.0.1 --shards "$SHARDS" --save '' ${COREKV_B_ARGS:-} >/dev/null 2>&1 & ;;
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

# CPU time of all the server's threads, in ns: the scheduler's own clock (schedstat), exact
# where utime/stime in /proc/PID/stat are sampled at each timer tick.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{t += $1} END {printf "%.0f", t}'; }

SERVERS=(corekv)
if [ -n "${COREKV_B:-}${COREKV_B_ARGS:-}" ]; then
    SERVERS+=(corekv-b)
fi
if command -v "$REDIS_SERVER" >/dev/null; then
    SERVERS+=(redis)
else
    echo "note: $REDIS_SERVER not found; measuring corekv alone" >&2
fi

RAW=$(mktemp)
for round in $(seq "$ROUNDS"); do
    order=("${SERVERS[@]}")
    if [ $((round % 2)) = 0 ]; then order=($(printf '%s\n' "${SERVERS[@]}" | tac)); fi
    for name in "${order[@]}"; do
        port=$(free_port)
        pid=$(start_server "$name" "$port")
        for t in $TESTS; do
            for p in $PIPELINES; do
                n=$N
                [ "$p" -gt 1 ] && n=$((N * 5))
                c0=$(cpu_ns "$pid")
                rps=$(redis-benchmark -p "$port" -q -n "$n" -c "$CLIENTS" -P "$p" -r 100000 -t "$t" --csv 2>/dev/null \
                    | tail -n 1 | cut -d, -f2 | tr -d '"')
                c1=$(cpu_ns "$pid")
                echo -e "$round\t$name\t$t\tP$p\t${rps:-0}\t$((c1 - c0))\t$n" >>"$RAW"
            done
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
done

python3 - "$RAW" <<'EOF'
import sys, statistics, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
rps = collections.defaultdict(list)
cpu = collections.defaultdict(list)
by_round = {}
for rnd, name, t, p, r, ns, n in rows:
    key = (t.upper(), p)
    rps[(name,) + key].append(float(r))
    by_round[(rnd, name) + key] = float(r)
    if float(ns) > 0:
        cpu[(name,) + key].append(float(ns) / 1000 / float(n))  # µs of server CPU per request
workloads = []
for rnd, name, t, p, r, ns, n in rows:
    k = (t.upper(), p)
    if k not in workloads:
        workloads.append(k)
has_b = any(name == "corekv-b" for _, name, *_ in rows)
med = lambda xs: statistics.median(xs) if xs else None
rounds = sorted({rnd for rnd, *_ in rows}, key=int)

def paired(name, key):
    """The median over rounds of name/redis within each round, and in how many rounds name
    did at least as well as redis: drift between rounds cancels out within a pair."""
    rs = [by_round[(rnd, name) + key] / by_round[(rnd, "redis") + key]
          for rnd in rounds
          if by_round.get((rnd, "redis") + key) and (rnd, name) + key in by_round]
    if not rs:
        return "-", "-"
    return f"{statistics.median(rs):.2f}", f"{sum(x >= 1 for x in rs)}/{len(rs)}"

head = f"{'workload':<10} {'corekv rps':>12} {'redis rps':>12} {'ratio':>7} {'won':>5} {'corekv µs/req':>14} {'redis µs/req':>13}"
if has_b:
    head += f" {'corekv-b rps':>13} {'b ratio':>8} {'b won':>6} {'b µs/req':>9}"
print(head)
for t, p in workloads:
    c = med(rps[("corekv", t, p)])
    r = med(rps[("redis", t, p)])
    cc = med(cpu[("corekv", t, p)]) or float("nan")
    rc = med(cpu[("redis", t, p)]) or float("nan")
    ratio, won = paired("corekv", (t, p))
    rs = f"{r:,.0f}" if r else "-"
    line = f"{t + '/' + p:<10} {c:>12,.0f} {rs:>12} {ratio:>7} {won:>5} {cc:>14.2f} {rc:>13.2f}"
    if has_b:
        b = med(rps[("corekv-b", t, p)])
        bc = med(cpu[("corekv-b", t, p)]) or float("nan")
        bratio, bwon = paired("corekv-b", (t, p))
        line += f" {b:>13,.0f} {bratio:>8} {bwon:>6} {bc:>9.2f}"
    print(line)
EOF
rm -f "$RAW"
