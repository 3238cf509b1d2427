#!/usr/bin/env bash
# The test suite against real PostgreSQL and Redis and a Stripe stand-in.
#
#   scripts/test.sh [--fast | --browser] [pytest arguments]
#
#   (no flag)  the whole suite, browser tests included: make test, and CI (.ci/run)
#   --fast     without the slow and the browser tests, and without Chromium: make test-fast
#   --browser  the browser tests alone: make test-browser
#
# The tests bring the rest themselves (tests/support/services.py): Redis database 1
# (plus the xdist worker's index) unless REDIS_URL says otherwise, so `make run`'s
# database 0 is left alone; and a Stripe stand-in of their own on a free port unless
# STRIPE_API_BASE names one. pytest's exit status is this script's.
#
# Two xdist workers (TEST_WORKERS=n to change, ARGS="-n 0" for --pdb): on two cores
# the whole suite took 86 s with two and 147 s with one, test-fast 49 s and 93 s, as
# much of a test's time is spent waiting on PostgreSQL, the stand-in or a browser.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode=full
case ${1:-} in
    --fast | --browser) mode=${1#--}; shift ;;
esac

# PostgreSQL, Redis and .venv, installed or started where missing (about a second when
# all is in place).
scripts/bootstrap.sh

# The code's shape before any test (a few seconds; make lint runs the same): ruff's lint
# and format checks, and the import contracts (docs/ARCHITECTURE.md, "Layers").
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
if ! contracts=$(.venv/bin/lint-imports --no-logo 2>&1); then
    echo "$contracts" >&2
    exit 1
fi

# nginx for the tests that run the production site file (tests/deploy/).
[[ $mode == full ]] && scripts/ensure_nginx.sh

case $mode in
    full) scripts/ensure_browser.sh; selection=() ;;
    fast) selection=(-m "not slow and not browser") ;;
    browser) scripts/ensure_browser.sh; selection=(-m browser) ;;
esac

exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "${selection[@]}" "$@"
