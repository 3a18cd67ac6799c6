#!/usr/bin/env bash
# papo-history at the build before #17's store changes ($PAPO_BASE_DIR): papo-base.sh with history on.
args=()
for a in ${PAPO_ARGS:-}; do [ "$a" = --no-history ] || args+=("$a"); done
PAPO_ARGS="${args[*]}" exec "$(dirname "${BASH_SOURCE[0]}")/papo-base.sh" "$@"
