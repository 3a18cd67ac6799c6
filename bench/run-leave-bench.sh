#!/usr/bin/env bash
# run-leave-bench.sh: the join and leave storm (issue #17) with `papo bench --scenario idle`,
# papo beside the C ceiling server ideal-c, one fresh server per run, rounds interleaved
# (ideal-c, papo, ideal-c, papo …). Writes one JSON report per run and the load average.
#
#   bench/run-leave-bench.sh OUT_DIR CLIENTS [ROUNDS]
#
# PAPO_DIR: a built papo checkout (default: this one); IDEAL: the built ideal-c binary
# (default /tmp/peer-bench/ideal: `cp -r ../shared/bench /tmp/peer-bench && make -C
# /tmp/peer-bench`). Servers listen on 127.0.0.1 and are stopped by their PID.
set -euo pipefail
OUT=${1:?usage: run-leave-bench.sh OUT_DIR CLIENTS [ROUNDS]}
CLIENTS=${2:?usage: run-leave-bench.sh OUT_DIR CLIENTS [ROUNDS]}
ROUNDS=${3:-1}
PAPO_DIR=${PAPO_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
IDEAL=${IDEAL:-/tmp/peer-bench/ideal}
PORT=${PORT:-17950}
PAPO_ARGS=${PAPO_ARGS:---flood-rate 1000000 --flood-burst 1000000 --log-level warn --no-history --no-web}
BENCH_ARGS=${BENCH_ARGS:---join-window 8 --join-timeout 600}
mkdir -p "$OUT"
PID=""
DATA=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
listening() { ss -Hltn "sport = :$1" | grep -q .; }

start() {
  case $1 in
    ideal-c) "$IDEAL" "$PORT" > "$OUT/server-$1.log" 2>&1 & ;;
    papo)
      DATA=$(mktemp -d -t papo-leave-data.XXXXXX)
      # shellcheck disable=SC2086
      "$PAPO_DIR/dist/cli.js" server --host 127.0.0.1 --port "$PORT" --data-dir "$DATA" $PAPO_ARGS \
        > "$OUT/server-$1.log" 2>&1 &
      ;;
  esac
  PID=$!
  for ((w = 0; w < 100; w++)); do listening "$PORT" && break; sleep 0.1; done
}
stop() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
  if [ -n "$DATA" ]; then rm -rf "$DATA"; DATA=""; fi
}

{
  echo "commit: $(git -C "$PAPO_DIR" rev-parse --short HEAD)"
  echo "papo args: $PAPO_ARGS"
  echo "bench: papo bench 127.0.0.1:$PORT --scenario idle -c $CLIENTS $BENCH_ARGS --server-pid PID --force --json"
} > "$OUT/meta.txt"
for ((r = 1; r <= ROUNDS; r++)); do
  for peer in ideal-c papo; do
    start "$peer"
    echo "round $r $peer start: $(uptime)" >> "$OUT/meta.txt"
    # shellcheck disable=SC2086
    "$PAPO_DIR/dist/cli.js" bench "127.0.0.1:$PORT" --scenario idle -c "$CLIENTS" $BENCH_ARGS \
      --server-pid "$PID" --force --json -q > "$OUT/$peer-c$CLIENTS-r$r.json" || echo "round $r $peer failed" >> "$OUT/meta.txt"
    echo "round $r $peer end: $(uptime)" >> "$OUT/meta.txt"
    stop
    PORT=$((PORT + 1))
  done
done
