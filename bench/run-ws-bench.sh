#!/usr/bin/env bash
# run-ws-bench.sh: WebSocket beside TCP (issue #13) with `papo bench`: fanout find-max at
# N=100 and N=1000 (S=4) over JSON lines on TCP and JSON over WebSocket, against the same
# server in the same round, interleaved (the order flips each round); then idle C clients
# over each transport, each on a fresh server, with the server's RSS.
#
#   bench/run-ws-bench.sh OUT_DIR [ROUNDS] [IDLE_CLIENTS]
#
# PAPO_DIR: a built papo checkout (default: this one). Starts its servers on 127.0.0.1 and
# stops them by PID; nothing else is touched.
set -euo pipefail
OUT=${1:?usage: run-ws-bench.sh OUT_DIR [ROUNDS] [IDLE_CLIENTS]}
ROUNDS=${2:-3}
IDLE=${3:-10000}
PAPO_DIR=${PAPO_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
LOAD="--flood-rate 1000000 --flood-burst 1000000 --send-queue 16777216 --log-level warn --no-history"
# Fan-out flags per N (default: find-max). On a machine too busy for find-max (its trials fail
# on the load generator's own send lag), fixed rates compare server CPU per delivery instead:
#   FANOUT_100="-r 1000 -d 5" FANOUT_1000="-r 100 -d 5" bench/run-ws-bench.sh OUT 3 0
FANOUT_COMMON="-s 4 --force -q --json"
FANOUT_100=${FANOUT_100:-"--find-max -r 1000 -d ${DURATION:-3} --max-trials 12"}
FANOUT_1000=${FANOUT_1000:-"--find-max -r 1000 -d ${DURATION:-3} --max-trials 12"}
PORT=${PORT:-17700}
mkdir -p "$OUT"
PID=""
DATA=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
trap "exit 1" INT TERM
listening() { ss -Hltn "sport = :$1" | grep -q .; }
start_server() {
  DATA=$(mktemp -d -t papo-wsbench.XXXXXX)
  "$PAPO_DIR/dist/cli.js" server --host 127.0.0.1 --port "$PORT" --web-port $((PORT + 1)) \
    --data-dir "$DATA" $LOAD > "$OUT/server-$PORT.log" 2>&1 &
  PID=$!
  for ((w = 0; w < 100; w++)); do listening $((PORT + 1)) && break; sleep 0.1; done
}
stop_server() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
  rm -rf "$DATA"
  DATA=""
}
bench() { node "$PAPO_DIR/dist/cli.js" bench "$@"; }
run() { # run NAME TRANSPORT ARGS...
  local name=$1 transport=$2
  shift 2
  local port=$PORT
  [ "$transport" = ws ] && port=$((PORT + 1))
  echo "== $name ($transport, 127.0.0.1:$port, server pid $PID) $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  bench "127.0.0.1:$port" --proto json --transport "$transport" --server-pid "$PID" "$@" > "$OUT/$name.json" \
    2> "$OUT/$name.err" || echo "   failed: $(tail -1 "$OUT/$name.err")"
}

for ((r = 1; r <= ROUNDS; r++)); do
  PORT=$((PORT + 2))
  start_server
  order=(tcp ws)
  ((r % 2 == 0)) && order=(ws tcp)
  for n in 100 1000; do
    for t in "${order[@]}"; do
      # shellcheck disable=SC2086
      flags=$FANOUT_100
      [ "$n" = 1000 ] && flags=$FANOUT_1000
      run "fanout-n$n-$t-r$r" "$t" -n "$n" $FANOUT_COMMON $flags
    done
  done
  stop_server
done
if [ "$IDLE" -gt 0 ]; then
  for t in ws tcp; do
    PORT=$((PORT + 2))
    start_server
    sleep 1
    run "idle-c$IDLE-$t" "$t" --scenario idle -c "$IDLE" --join-window 32 --force -q --json
    stop_server
  done
fi
