# Shared helpers for the project's scripts. Source it; do not run it.
#
# Only bash built-ins and /proc are used for process and port checks, because a fresh
# Debian machine (or a slim container) may have neither procps (ps, pgrep) nor curl.

# Repository root, whichever directory the caller started from.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Pid files and logs of the processes the scripts start (git-ignored).
RUN_DIR="$REPO_ROOT/.run"
VENV="$REPO_ROOT/.venv"

# Defaults the scripts provide when the caller has not set their own.
DEFAULT_DATABASE_URL="postgres://bouquet:bouquet@127.0.0.1:5432/bouquet"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379/0"
DEFAULT_STRIPE_SECRET_KEY="sk_test_bouquetlocalstripe0000000000"
DEFAULT_STRIPE_WEBHOOK_SECRET="whsec_bouquetlocal"

log() { printf '\033[1m[%s]\033[0m %s\n' "${LOG_TAG:-bouquet}" "$*" >&2; }
die() { printf '\033[1;31m[%s] error:\033[0m %s\n' "${LOG_TAG:-bouquet}" "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "'$*' needs root, and sudo is not installed; run this as root or install sudo"
    fi
}

# Install Debian packages, running "apt-get update" once per script run first (a fresh
# machine's package lists are often empty). sudo drops the environment, hence env.
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
    if [[ $APT_UPDATED == 0 ]]; then
        log "apt-get update"
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- processes -------------------------------------------------------------------

# True when the process exists and is not a zombie (a dead child not yet reaped still
# answers kill -0).
pid_alive() {
    local pid=$1 stat
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    stat=${stat##*") "}          # the command name may hold spaces; the state follows ") "
    [[ ${stat%% *} != Z ]]
}

# The process's command line with spaces between the arguments ("" when it is gone).
pid_cmdline() {
    { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true
}

# True while any live (non-zombie) process remains in process group $1.
group_alive() {
    local pgid=$1 stat f state pgrp
    for f in /proc/[0-9]*/stat; do
        # read, not cat: no fork per process, this runs in a polling loop
        { read -r stat <"$f"; } 2>/dev/null || continue
        stat=${stat##*") "}
        # fields after the name: state ppid pgrp ...
        read -r state _ pgrp _ <<<"$stat"
        [[ $pgrp == "$pgid" && $state != Z ]] && return 0
    done
    return 1
}

# Stop every process in the groups given (each started with setsid, so its group id is
# its leader's pid). SIGTERM goes to the leader alone first: gunicorn's master and
# qcluster's main process then shut their children down in order (qcluster's sentinel
# dies at once on a SIGTERM of its own, losing the tasks in hand). Children a dead
# leader left behind get SIGTERM next, and whatever remains after $STOP_TIMEOUT seconds
# (or at once when FORCE_STOP=1, set by a second Ctrl-C) gets SIGKILL.
stop_groups() {
    local timeout=${STOP_TIMEOUT:-25} pgid ticks=0 left
    local -A group_termed=()
    for pgid in "$@"; do kill -TERM "$pgid" 2>/dev/null || true; done
    while :; do
        left=()
        for pgid in "$@"; do group_alive "$pgid" && left+=("$pgid"); done
        [[ ${#left[@]} -eq 0 ]] && return 0
        if (( ticks >= timeout * 5 )) || [[ ${FORCE_STOP:-0} == 1 ]]; then
            log "process group(s) ${left[*]} still running; killing them"
            for pgid in "${left[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
            sleep 0.2 || true
            for pgid in "${left[@]}"; do
                group_alive "$pgid" && log "warning: process group $pgid survived SIGKILL"
            done
            return 0
        fi
        for pgid in "${left[@]}"; do
            if ! pid_alive "$pgid" && [[ -z ${group_termed[$pgid]:-} ]]; then
                kill -TERM -- "-$pgid" 2>/dev/null || true
                group_termed[$pgid]=1
            fi
        done
        sleep 0.2 || true   # cut short by Ctrl-C: just look again
        ticks=$((ticks + 1))
    done
}

# Stop what a pid file of an earlier run points at, if that process is still alive and
# its command line contains $2 (so a recycled pid is never hit), then drop the file.
stop_pidfile() {
    local file=$1 pattern=$2 pid
    [[ -f $file ]] || return 0
    pid=$(<"$file")
    if pid_alive "$pid" && [[ $(pid_cmdline "$pid") == *"$pattern"* ]]; then
        log "stopping $pattern (pid $pid)"
        stop_groups "$pid"
    fi
    rm -f "$file"
}

# --- network ---------------------------------------------------------------------

# True when something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp, no
# extra tools needed).
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when an HTTP server answers at $1, whatever the status code. Extra arguments
# are a user for basic auth ("key:").
http_answers() {
    local url=$1 user=${2:-}
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null --max-time 2 ${user:+-u "$user"} "$url"
    else
        "$VENV/bin/python" - "$url" "$user" <<'EOF'
import base64, sys, urllib.error, urllib.request
url, user = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url)
if user:
    req.add_header("Authorization", "Basic " + base64.b64encode(user.encode()).decode())
try:
    urllib.request.urlopen(req, timeout=2)
except urllib.error.HTTPError:
    pass  # any HTTP status is an answer
except Exception:
    sys.exit(1)
EOF
    fi
}

# Wait up to $1 seconds for the command that follows to succeed.
wait_for() {
    local timeout=$1 i
    shift
    for ((i = 0; i < timeout * 5; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}
