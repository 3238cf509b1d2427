#!/usr/bin/env bash
# `make chaos`: fault scenarios while orders flow, each ending with the audit
# (bench/chaos.py). The platform runs on a PostgreSQL and a Redis of the run's own, so
# the faults hurt nothing else on the machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The machine's services provide the server binaries the run starts its own copies of.
scripts/bootstrap.sh
scripts/ensure_nginx.sh  # in front of the web hosts, as in production
exec .venv/bin/python -m bench.chaos "$@"
