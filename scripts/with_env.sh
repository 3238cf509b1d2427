#!/usr/bin/env bash
# Run a command with the local defaults filled in: the caller's environment wins, then
# .env (local overrides, git-ignored), then dev.env (the defaults of make run).
#
#   scripts/with_env.sh COMMAND [ARGS...]
#
# make run starts honcho through it, with no env file of honcho's own, so that
# `DATABASE_URL=... make run` points the platform where the caller says.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

declare -A chosen=()
for file in "$ROOT/dev.env" "$ROOT/.env"; do
    [[ -f $file ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        chosen[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    done <"$file"
done
for name in "${!chosen[@]}"; do
    [[ -v $name ]] || export "$name=${chosen[$name]}"
done
exec "$@"
