#!/usr/bin/env bash
# `make bench`: the benchmark of docs/DESIGN.md section 9 against the whole platform,
# on a database of its own (bouquet_bench). QUICK=1 for a short run. bench/ supervises
# the processes itself (it stops some on purpose), with its defaults from dev.env.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/bootstrap.sh
scripts/ensure_nginx.sh  # in front of the web hosts, as in production
args=()
[[ ${QUICK:-0} == 1 ]] && args+=(--quick)
exec .venv/bin/python -m bench "${args[@]}" "$@"
