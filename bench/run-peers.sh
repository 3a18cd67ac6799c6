#!/usr/bin/env bash
# run-peers.sh: the peer comparisons behind bench/RESULTS.md (issue #6), one after another.
#
#   bench/run-peers.sh PEER_BENCH_DIR OUT_DIR
#
# PEER_BENCH_DIR is a built copy of ../shared/bench (cp -r ../shared/bench /tmp/peer-bench &&
# make -C /tmp/peer-bench); ncat and ngircd installed (apt-get install -y ncat ngircd).
# PAPO_DIR must point at a built papo checkout (npm ci && npm run build). Each scenario runs
# every peer interleaved (3 rounds unless said otherwise); the summaries land in OUT_DIR/<scenario>/summary.md.
# Only 127.0.0.1 is used; compare.sh starts and stops every server by its PID.
set -euo pipefail
PB=${1:?usage: run-peers.sh PEER_BENCH_DIR OUT_DIR}
OUT=${2:?usage: run-peers.sh PEER_BENCH_DIR OUT_DIR}
: "${PAPO_DIR:?set PAPO_DIR to a built papo checkout}"
# Load tests from one host: flood control stays on with its limits raised, and a larger send
# queue so that an overloaded find-max step fails on latency instead of dropping readers.
export PAPO_ARGS="${PAPO_ARGS:---flood-rate 1000000 --flood-burst 1000000 --send-queue 16777216 --log-level warn --no-history}"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
C="$PB/compare.sh"
# bench/peers/: papo.sh (runs dist/cli.js, so compare.sh can stop it), node-floor (the least a
# Node.js server can do, to read papo's figures against), papo-history (history on).
cp "$(dirname "$0")"/peers/* "$PB/peers/"
ALL=ideal-c,ncat-chat,seed-python,ngircd,node-floor,papo
FAST=ideal-c,ncat-chat,papo
run() { local name=$1; shift; mkdir -p "$OUT"; "$C" --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1 || true; }
run fanout100   --peers "$FAST" --repeats 3 -- --scenario fanout -n 100 -s 4 --find-max -r 1000 -d 5
run fanout1000at50 --peers "$ALL" --repeats 3 -- --scenario fanout -n 1000 -s 4 -r 50 -d 10
run churn       --peers "$ALL" --repeats 3 -- --scenario churn -w 8 -d 10
run history100  --peers papo,papo-history --baseline papo --repeats 3 -- --scenario fanout -n 100 -s 4 --find-max -r 1000 -d 5
run idle1000    --peers "$ALL" --repeats 3 -- --scenario idle -c 1000
run fanout1000  --peers "$FAST" --repeats 3 -- --scenario fanout -n 1000 -s 4 --find-max -r 400 -d 5
# idle C=10,000 takes about 10 minutes a round: one round.
run idle10000   --peers papo --baseline papo --repeats 1 -- --scenario idle -c 10000 --join-window 64 --join-timeout 900
echo "done: $OUT"
