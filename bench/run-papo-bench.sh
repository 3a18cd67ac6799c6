#!/usr/bin/env bash
# run-papo-bench.sh: papo against itself with `papo bench` (issue #6, target 5): fanout
# find-max N=100 S=4 over plain text, JSON lines, TLS (plain protocol) and plain with
# history on, rounds interleaved; also the SVG charts in bench/RESULTS.md.
#
#   bench/run-papo-bench.sh OUT_DIR [ROUNDS]
#
# PAPO_DIR must point at a built papo checkout (the server); BENCH_DIR, if set, at the one
# whose `papo bench` drives it (default: the same). Starts one server per run on 127.0.0.1
# and stops it by its PID; nothing else is touched.
set -euo pipefail
OUT=${1:?usage: run-papo-bench.sh OUT_DIR [ROUNDS]}
ROUNDS=${2:-3}
: "${PAPO_DIR:?set PAPO_DIR to a built papo checkout}"
BENCH_DIR=${BENCH_DIR:-$PAPO_DIR}
LOAD="--flood-rate 1000000 --flood-burst 1000000 --send-queue 16777216 --log-level warn"
PORT=${PORT:-17900}
mkdir -p "$OUT"
PID=""
DATA=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
listening() { ss -Hltn "sport = :$1" | grep -q .; }

# start_server PORT TLS_PORT ARGS...: a fresh data directory each time (history starts empty)
start_server() {
  local port=$1 tls_port=$2
  shift 2
  DATA=$(mktemp -d -t papo-bench-data.XXXXXX)
  "$PAPO_DIR/dist/cli.js" server --host 127.0.0.1 --port "$port" --tls-port "$tls_port" \
    --data-dir "$DATA" "$@" > "$OUT/server-$port.log" 2>&1 &
  PID=$!
  for ((w = 0; w < 100; w++)); do listening "$port" && break; sleep 0.1; done
}
stop_server() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
  rm -rf "$DATA"
  DATA=""
}

for ((r = 1; r <= ROUNDS; r++)); do
  for variant in plain json tls history; do
    PORT=$((PORT + 2))
    target="127.0.0.1:$PORT"
    bench_args=(--proto plain)
    # shellcheck disable=SC2086
    case $variant in
      plain) start_server "$PORT" $((PORT + 1)) $LOAD --no-history ;;
      json) start_server "$PORT" $((PORT + 1)) $LOAD --no-history; bench_args=(--proto json) ;;
      tls) start_server "$PORT" $((PORT + 1)) $LOAD --no-history --tls; target="127.0.0.1:$((PORT + 1))"
        bench_args=(--proto plain --tls)
        for ((w = 0; w < 100; w++)); do listening $((PORT + 1)) && break; sleep 0.1; done ;;
      history) start_server "$PORT" $((PORT + 1)) $LOAD ;;
    esac
    echo "== round $r/$ROUNDS $variant ($target, pid $PID)"
    timeout 900 node "$BENCH_DIR/dist/cli.js" bench "$target" "${bench_args[@]}" --server-pid "$PID" \
      -n 100 -s 4 --find-max -r 1000 -d 3 --json --svg "$OUT/fanout100-$variant-$r.svg" \
      > "$OUT/fanout100-$variant-$r.json" 2> "$OUT/fanout100-$variant-$r.err" || echo "!! bench failed: $variant $r"
    grep -E "max sustained|FAIL|pass" "$OUT/fanout100-$variant-$r.err" | tail -1 || true
    stop_server
    sleep 1
  done
done
# fanout at a fixed rate (N=1000, 50 msgs/s) for the latency curve
PORT=$((PORT + 2))
# shellcheck disable=SC2086
start_server "$PORT" $((PORT + 1)) $LOAD --no-history
timeout 600 node "$BENCH_DIR/dist/cli.js" bench "127.0.0.1:$PORT" --server-pid "$PID" -n 1000 -s 4 -r 50 -d 10 \
  --json --svg "$OUT/fanout1000at50-plain.svg" > "$OUT/fanout1000at50-plain.json" 2> "$OUT/fanout1000at50-plain.err" || true
stop_server
echo "done: $OUT"
