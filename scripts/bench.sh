#!/usr/bin/env bash
# `make bench`: the benchmark of docs/DESIGN.md section 9 against the whole platform, on a
# database of its own (bouquet_bench). QUICK=1 for a short run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=bench
cd "$REPO_ROOT"

"$REPO_ROOT/scripts/ensure_venv.sh"
"$REPO_ROOT/scripts/ensure_services.sh"
args=()
[[ ${QUICK:-0} == 1 ]] && args+=(--quick)
exec "$VENV/bin/python" -m bench "${args[@]}" "$@"
