#!/usr/bin/env bash
# papo as built in another checkout ($PAPO_BASE_DIR, e.g. `git worktree add /tmp/base <commit>`,
# then npm ci or a copy of node_modules, and npm run build): the "before" side of a before/after
# run beside papo.sh, with the same flags ($PAPO_ARGS, or $PAPO_BASE_ARGS when the old build lacks
# one of them).
case "${1:-}" in
  --proto) echo plain-name; exit 0;;
  --available)
    [ -x "${PAPO_BASE_DIR:-}/dist/cli.js" ] || { echo "set PAPO_BASE_DIR to a built papo checkout"; exit 1; }
    exit 0;;
esac
PAPO_DIR="$PAPO_BASE_DIR" PAPO_ARGS="${PAPO_BASE_ARGS:-${PAPO_ARGS:-}}" exec "$(dirname "${BASH_SOURCE[0]}")/papo.sh" "$@"
