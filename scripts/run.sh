#!/usr/bin/env bash
# `make run`: the whole stack on this machine for development and demos.
#
# Provides the virtualenv, PostgreSQL, Redis and the Stripe stand-in, prepares the
# database and demo data, then runs gunicorn and the qcluster workers until Ctrl-C or
# SIGTERM. Every background process gets its own process group (setsid), so stopping
# reaches their children too, and nothing is left behind for the next run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=run
cd "$REPO_ROOT"

SCRIPTS="$REPO_ROOT/scripts"
PY="$VENV/bin/python"
LOCALSTRIPE_PORT=8420
WEB_HOST=127.0.0.1
WEB_PORT=8000
WEB_URL="http://$WEB_HOST:$WEB_PORT"
READY_TIMEOUT=${RUN_READY_TIMEOUT:-60}

declare -A CHILDREN=()   # name -> pid (= process group id) of what we started
OWN_LOCALSTRIPE=0        # 1 once we started localstripe, so we stop it again
STOPPING=0

# The caller's settings win; these defaults point at the local services.
export_defaults() {
    export DATABASE_URL="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
    export REDIS_URL="${REDIS_URL:-$DEFAULT_REDIS_URL}"
    export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:$LOCALSTRIPE_PORT}"
    export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-$DEFAULT_STRIPE_SECRET_KEY}"
    export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-$DEFAULT_STRIPE_WEBHOOK_SECRET}"
}

# Start "$@" in the background in a session and process group of its own; Ctrl-C in
# the terminal then reaches only this script, which stops the children in order.
# (Without job control a background child is never a group leader, so setsid does not
# fork and $! is the command itself.)
start_child() {
    local name=$1
    shift
    setsid "$@" </dev/null &
    CHILDREN[$name]=$!
    echo "$!" >"$RUN_DIR/$name.pid"
}

# One `make run` at a time: a second one would take the first one's processes for
# leftovers and stop them.
claim_run() {
    local pid
    pid=$(cat "$RUN_DIR/run.pid" 2>/dev/null) || true
    if [[ -n $pid && $pid != "$$" ]] && pid_alive "$pid" && [[ $(pid_cmdline "$pid") == *run.sh* ]]; then
        die "make run is already running (pid $pid); stop it first"
    fi
    echo "$$" >"$RUN_DIR/run.pid"
}

# A gunicorn or qcluster still running from an earlier run (killed with SIGKILL, or
# its terminal closed) would hold the port or pick up tasks with old code.
stop_leftovers() {
    stop_pidfile "$RUN_DIR/gunicorn.pid" gunicorn
    stop_pidfile "$RUN_DIR/qcluster.pid" qcluster
    if port_open "$WEB_PORT"; then
        die "port $WEB_PORT is in use by another program; stop it first"
    fi
}

# Runs on every exit (normal, error, signal). Safe to call twice.
stop_all() {
    [[ $STOPPING == 1 ]] && return 0
    STOPPING=1
    # Best effort from here on: a failing step (or a `sleep` cut short by a second
    # Ctrl-C) must not end the script before everything is stopped.
    set +e
    # A second Ctrl-C while we wait for a graceful stop skips to SIGKILL.
    trap 'FORCE_STOP=1' INT TERM HUP
    if [[ ${#CHILDREN[@]} -gt 0 ]]; then
        log "stopping ${!CHILDREN[*]} (Ctrl-C again to kill at once)"
        stop_groups "${CHILDREN[@]}"
        local name
        for name in "${!CHILDREN[@]}"; do rm -f "$RUN_DIR/$name.pid"; done
    fi
    if [[ $OWN_LOCALSTRIPE == 1 ]]; then
        "$SCRIPTS/localstripe.sh" stop "$LOCALSTRIPE_PORT"
    fi
    if [[ $(cat "$RUN_DIR/run.pid" 2>/dev/null) == "$$" ]]; then rm -f "$RUN_DIR/run.pid"; fi
    if [[ ${#CHILDREN[@]} -gt 0 || $OWN_LOCALSTRIPE == 1 ]]; then log "stopped"; fi
}

# The stand-in is ours to start only when the API base points at its default place.
start_localstripe() {
    if [[ $STRIPE_API_BASE != "http://127.0.0.1:$LOCALSTRIPE_PORT" ]]; then
        log "STRIPE_API_BASE is $STRIPE_API_BASE; not starting localstripe"
        return 0
    fi
    OWN_LOCALSTRIPE=1
    "$SCRIPTS/localstripe.sh" start "$LOCALSTRIPE_PORT"
}

prepare_django() {
    "$PY" manage.py migrate --noinput
    "$PY" manage.py collectstatic --noinput
    "$PY" manage.py demo_data
    # localstripe keeps webhooks in memory only, so this is needed after every start.
    "$PY" manage.py stripe_register_webhook --url "$WEB_URL/payments/stripe/webhook/"
}

# One JSON object a line, like the application's own logs.
ACCESS_LOG_JSON='{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s"}'

start_servers() {
    start_child gunicorn "$VENV/bin/gunicorn" config.wsgi:application \
        --bind "$WEB_HOST:$WEB_PORT" --workers "${WEB_WORKERS:-2}" \
        --no-control-socket --graceful-timeout 20 --access-logfile - \
        --access-logformat "$ACCESS_LOG_JSON"
    # run_workers is qcluster kept alive: it restarts the cluster if its sentinel dies.
    start_child qcluster "$PY" manage.py run_workers
}

# The name of a child that has died, if any ("" when all live). The Stripe stand-in
# was started by localstripe.sh, so it is watched through its pid file.
dead_child() {
    local name
    for name in "${!CHILDREN[@]}"; do
        pid_alive "${CHILDREN[$name]}" || { echo "$name"; return 0; }
    done
    if [[ $OWN_LOCALSTRIPE == 1 ]]; then
        pid_alive "$(cat "$RUN_DIR/localstripe-$LOCALSTRIPE_PORT.pid" 2>/dev/null)" ||
            echo localstripe
    fi
    return 0
}

wait_until_ready() {
    local i dead
    for ((i = 0; i < READY_TIMEOUT * 5; i++)); do
        dead=$(dead_child)
        [[ -n $dead ]] && die "$dead exited while starting"
        http_answers "$WEB_URL/healthz" && return 0
        sleep 0.2
    done
    die "gunicorn did not answer on $WEB_URL/healthz within ${READY_TIMEOUT}s"
}

banner() {
    cat <<EOF

  Bouquet is running.

    portal      $WEB_URL/  (sign in as bloom, fern or thorn)
    admin       $WEB_URL/admin/
    API docs    $WEB_URL/api/docs/
    health      $WEB_URL/healthz
    Stripe      $STRIPE_API_BASE (stand-in)

  Demo logins (password: bouquet-demo)
    backoffice  staff, superuser
    bloom       partner BLOOM (card that succeeds)
    fern        partner FERN (on account)
    thorn       partner THORN (card that is declined)

  Ctrl-C stops everything.

EOF
}

# Sleep in the background and wait for it: a trapped signal interrupts `wait` at once,
# where it would wait for a foreground sleep to end.
watch_children() {
    local dead pid status
    while :; do
        dead=$(dead_child)
        if [[ -n $dead ]]; then
            status=unknown
            pid=${CHILDREN[$dead]:-}
            if [[ -n $pid ]]; then
                status=0
                wait "$pid" 2>/dev/null || status=$?
            fi
            log "$dead exited (status $status); stopping everything"
            exit 1
        fi
        sleep 1 &
        wait $! || true
    done
}

main() {
    trap stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    "$SCRIPTS/ensure_venv.sh"
    export_defaults
    "$SCRIPTS/ensure_services.sh"
    mkdir -p "$RUN_DIR"
    claim_run
    stop_leftovers
    start_localstripe
    prepare_django
    start_servers
    wait_until_ready
    banner
    watch_children
}

main "$@"
