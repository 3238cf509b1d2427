#!/usr/bin/env bash
# Start or stop the Stripe stand-in (localstripe) on a port:
#   scripts/localstripe.sh start PORT
#   scripts/localstripe.sh stop PORT
#
# Each port gets its own pid file and log under .run/, so `make run` (8420) and
# `make test` (8421) never touch each other's instance. localstripe keeps its state in
# memory (and pickles it to a fixed file in the temp folder, which --from-scratch
# ignores on start), so every start begins empty.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=localstripe

START_TIMEOUT=${LOCALSTRIPE_START_TIMEOUT:-30}

usage() { die "usage: $0 start|stop PORT"; }

# A localstripe left behind on this port, e.g. by a run that was killed with SIGKILL
# or whose pid file was removed: found by its command line in /proc.
find_strays() {
    local port=$1 f pid
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        [[ $pid == "$$" ]] && continue
        [[ $(pid_cmdline "$pid") == *"stripe_stand_in.py --port $port "* ]] && echo "$pid"
    done
    return 0
}

pids_gone() {
    local pid
    for pid in "$@"; do pid_alive "$pid" && return 1; done
    return 0
}

stop() {
    local port=$1 strays
    # Finish stopping even when Ctrl-C arrives meanwhile (make run's second Ctrl-C
    # reaches this script too); it takes a few seconds at most.
    trap '' INT
    STOP_TIMEOUT=5 stop_pidfile "$RUN_DIR/localstripe-$port.pid" stripe_stand_in
    strays=$(find_strays "$port")
    if [[ -n $strays ]]; then
        log "stopping leftover localstripe on port $port (pid $(echo $strays))"
        # Not necessarily group leaders, so signal the pids themselves.
        # shellcheck disable=SC2086  # one pid a word
        kill -TERM $strays 2>/dev/null || true
        # shellcheck disable=SC2086
        wait_for 5 pids_gone $strays || kill -KILL $strays 2>/dev/null || true
    fi
}

start() {
    local port=$1 pid logfile
    logfile="$RUN_DIR/localstripe-$port.log"
    [[ -x $VENV/bin/localstripe ]] || die "localstripe is not installed in $VENV; run scripts/ensure_venv.sh"
    mkdir -p "$RUN_DIR"
    stop "$port"
    port_open "$port" && die "port $port is in use by another program; stop it first"

    # setsid: its own session and process group, so Ctrl-C in the terminal does not
    # reach it (the caller stops it in order) and the whole group can be stopped.
    # Through our launcher, which turns off localstripe's per-write snapshot to disk.
    setsid "$VENV/bin/python" "$REPO_ROOT/scripts/stripe_stand_in.py" --port "$port" --from-scratch \
        </dev/null >"$logfile" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN_DIR/localstripe-$port.pid"

    local i
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do
        if http_answers "http://127.0.0.1:$port/v1/customers" "${STRIPE_SECRET_KEY:-$DEFAULT_STRIPE_SECRET_KEY}:"; then
            log "localstripe answers on http://127.0.0.1:$port (pid $pid, log .run/localstripe-$port.log)"
            return 0
        fi
        if ! pid_alive "$pid"; then
            tail -n 20 "$logfile" >&2 || true
            rm -f "$RUN_DIR/localstripe-$port.pid"
            die "localstripe exited while starting on port $port (log above)"
        fi
        sleep 0.2
    done
    tail -n 20 "$logfile" >&2 || true
    stop "$port"
    die "localstripe did not answer on port $port within ${START_TIMEOUT}s"
}

main() {
    [[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || usage
    case $1 in
        start) start "$2" ;;
        stop) stop "$2" ;;
        *) usage ;;
    esac
}

main "$@"
