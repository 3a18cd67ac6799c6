#!/usr/bin/env bash
# papo bench against a cluster (#16): starts a throw-away redis-server and the nodes (and HAProxy
# for two), runs one `papo bench` with the remaining arguments, then stops them by PID.
#   bench/run-cluster-bench.sh single|cluster1|cluster2|single-lb [papo bench options]
# single: one node, no cluster; cluster1: one node with --cluster; cluster2: two nodes behind
# deploy/haproxy.cfg (leastconn: the clients alternate, so about half of the deliveries cross
# nodes); single-lb: one node behind the same HAProxy (the proxy's own cost). Needs `npm run build`.
set -u
W="$(cd "$(dirname "$0")/.." && pwd)"
RP=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
RD=$(mktemp -d)
redis-server --port $RP --bind 127.0.0.1 --save '' --appendonly no --dir $RD >/dev/null 2>&1 &
RPID=$!
sleep 0.5
start_node() { # $1 port, extra args
  local port=$1; shift
  node --max-semi-space-size=4 $W/dist/cli.js server --port $port --no-history --no-web --data-dir $(mktemp -d) --flood-rate 1000000 --flood-burst 1000000 --log-level warn "$@" > "${TMPDIR:-/tmp}/papo-cluster-bench-node-$port.log" 2>&1 &
  echo $!
}
MODE=$1; shift
case $MODE in
  single) P1=7301; N1=$(start_node $P1); PIDS="$N1"; T=127.0.0.1:$P1; SP=$N1;;
  cluster1) P1=7302; N1=$(start_node $P1 --cluster redis://127.0.0.1:$RP --node-name b1); PIDS="$N1"; T=127.0.0.1:$P1; SP=$N1;;
  cluster2) P1=7303; P2=7304; N1=$(start_node $P1 --cluster redis://127.0.0.1:$RP --node-name c1); N2=$(start_node $P2 --cluster redis://127.0.0.1:$RP --node-name c2); sleep 2
     LB=7310; PAPO_LB_BIND=127.0.0.1 PAPO_LB_CHAT=$LB PAPO_LB_WEB=7311 PAPO_NODE1_CHAT=127.0.0.1:$P1 PAPO_NODE2_CHAT=127.0.0.1:$P2 PAPO_NODE1_WEB=127.0.0.1:1 PAPO_NODE2_WEB=127.0.0.1:2 haproxy -db -f $W/deploy/haproxy.cfg >/dev/null 2>&1 &
     HP=$!; PIDS="$N1 $N2 $HP"; T=127.0.0.1:$LB; SP=$N1;;
  single-lb) P1=7305; N1=$(start_node $P1); sleep 1
     LB=7312; PAPO_LB_BIND=127.0.0.1 PAPO_LB_CHAT=$LB PAPO_LB_WEB=7313 PAPO_NODE1_CHAT=127.0.0.1:$P1 PAPO_NODE2_CHAT=127.0.0.1:$P1 PAPO_NODE1_WEB=127.0.0.1:1 PAPO_NODE2_WEB=127.0.0.1:2 haproxy -db -f $W/deploy/haproxy.cfg >/dev/null 2>&1 &
     HP=$!; PIDS="$N1 $HP"; T=127.0.0.1:$LB; SP=$N1;;
esac
sleep 2
node $W/dist/cli.js bench $T --force --json -q --server-pid $SP "$@"
for p in $PIDS; do kill $p 2>/dev/null; done
sleep 1
kill $RPID; rm -rf $RD
