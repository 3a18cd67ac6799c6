#!/usr/bin/env bash
# papo-history: papo with its message history on (SQLite in a fresh data directory), plain-name
# protocol; beside the `papo` peer (run with --no-history) it shows what history costs.
# Runs "$PAPO_DIR/dist/cli.js" (a built checkout) with $PAPO_ARGS minus --no-history.
# bench/run-peers.sh copies it into the peer bench's peers/ directory.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
case "${1:-}" in
  --proto) echo plain-name; exit 0;;
  --available)
    [ -x "${PAPO_DIR:-}/dist/cli.js" ] || { echo "set PAPO_DIR to a built papo checkout"; exit 1; }
    exit 0;;
esac
need_port "${1:-}"
raise_nofile
DATA="$(peer_tmpdir papo-history)"
args=()
for a in ${PAPO_ARGS:-}; do [ "$a" = --no-history ] || args+=("$a"); done
exec "$PAPO_DIR/dist/cli.js" server --host 127.0.0.1 --port "$1" --data-dir "$DATA" "${args[@]}"
