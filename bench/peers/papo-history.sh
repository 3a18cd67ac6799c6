#!/usr/bin/env bash
# papo-history: papo with its message history on (SQLite in a fresh data directory), plain-name
# protocol; beside the `papo` peer (run with --no-history) it shows what history costs.
# It is papo.sh with --no-history taken out of $PAPO_ARGS.
# bench/run-peers.sh copies it into the peer bench's peers/ directory.
args=()
for a in ${PAPO_ARGS:-}; do [ "$a" = --no-history ] || args+=("$a"); done
PAPO_ARGS="${args[*]}" exec "$(dirname "${BASH_SOURCE[0]}")/papo.sh" "$@"
