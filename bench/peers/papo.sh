#!/usr/bin/env bash
# papo (TypeScript/Node.js), plain-name protocol. Replaces ../shared/bench's slot script, which
# starts `npx papo server`: npm exec does not pass SIGTERM on, so compare.sh could not stop it.
# Runs "$PAPO_DIR/dist/cli.js" server --host 127.0.0.1 --port PORT --data-dir TMP, in a built
# checkout ($PAPO_DIR, after `npm ci`); extra server flags in $PAPO_ARGS.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
case "${1:-}" in
  --proto) echo plain-name; exit 0;;
  --available)
    [ -x "${PAPO_DIR:-}/dist/cli.js" ] || { echo "set PAPO_DIR to a built papo checkout"; exit 1; }
    exit 0;;
esac
need_port "${1:-}"
raise_nofile
DATA="$(peer_tmpdir papo)"
# shellcheck disable=SC2086
exec "$PAPO_DIR/dist/cli.js" server --host 127.0.0.1 --port "$1" --data-dir "$DATA" ${PAPO_ARGS:-}
