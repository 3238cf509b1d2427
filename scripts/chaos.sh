#!/usr/bin/env bash
# `make chaos`: fault scenarios while orders flow, each ending with the audit
# (bench/chaos.py). The platform runs on a PostgreSQL and a Redis of the run's own, so
# the faults hurt nothing else on the machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=chaos
cd "$REPO_ROOT"

"$REPO_ROOT/scripts/ensure_venv.sh"
# The machine's services provide the server binaries the run starts its own copies of.
"$REPO_ROOT/scripts/ensure_services.sh"
exec "$VENV/bin/python" -m bench.chaos "$@"
