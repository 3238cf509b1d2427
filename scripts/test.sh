#!/usr/bin/env bash
# `make test`: the test suite against real PostgreSQL, Redis and the Stripe stand-in.
# Arguments go to pytest as they are: scripts/test.sh -k orders -x
#
# The stand-in runs on its own port (8421) and the tests use Redis database 1, so a
# `make run` on the same machine (8420, database 0) is left undisturbed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=test
cd "$REPO_ROOT"

SCRIPTS="$REPO_ROOT/scripts"
LOCALSTRIPE_PORT=8421

# The caller's settings win; these defaults point at the local services.
export DATABASE_URL="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/1}"
export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:$LOCALSTRIPE_PORT}"
export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-$DEFAULT_STRIPE_SECRET_KEY}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-$DEFAULT_STRIPE_WEBHOOK_SECRET}"

stop_localstripe() {
    "$SCRIPTS/localstripe.sh" stop "$LOCALSTRIPE_PORT" || true
}

main() {
    "$SCRIPTS/ensure_venv.sh"
    "$SCRIPTS/ensure_services.sh"
    "$SCRIPTS/ensure_browser.sh"

    # Start the stand-in only where the tests will look for it; a caller who set
    # STRIPE_API_BASE elsewhere brings their own.
    if [[ $STRIPE_API_BASE == "http://127.0.0.1:$LOCALSTRIPE_PORT" ]]; then
        trap stop_localstripe EXIT
        "$SCRIPTS/localstripe.sh" start "$LOCALSTRIPE_PORT"
    else
        log "STRIPE_API_BASE is $STRIPE_API_BASE; not starting localstripe"
    fi

    local status=0
    "$VENV/bin/python" -m pytest "$@" || status=$?
    exit "$status"
}

main "$@"
