#!/usr/bin/env bash
# node-floor: a minimal Node.js chat server (node-floor.mjs beside this script), plain-name
# protocol: Node's own cost per session and per delivery, to read papo's figures against.
# bench/run-peers.sh copies this pair into the peer bench's peers/ directory.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
case "${1:-}" in
  --proto) echo plain-name; exit 0;;
  --available) command -v node >/dev/null || { echo "node not found"; exit 1; }; exit 0;;
esac
need_port "${1:-}"
raise_nofile
exec node "$(dirname "${BASH_SOURCE[0]}")/node-floor.mjs" "$1"
