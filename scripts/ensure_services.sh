#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, and that the bouquet role and
# database exist.
#
# Each service is in one of three states: running (nothing to do, and this script is
# then a fast no-op), installed but stopped (start it), or not installed (install it
# from Debian's packages, then start it). A service whose URL the caller pointed
# elsewhere (DATABASE_URL, REDIS_URL) is the caller's to run, and is left alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=services

PG_PORT=5432
REDIS_PORT=6379
WAIT_SECONDS=${SERVICE_WAIT_SECONDS:-30}

# --- PostgreSQL --------------------------------------------------------------------

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

# psql as the postgres OS user (peer authentication on the local socket). From / so
# psql does not complain that it cannot enter a directory postgres may not read.
as_postgres_psql() {
    local cmd=(psql -X -q -A -t -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
    if [[ $EUID -eq 0 ]]; then
        if command -v runuser >/dev/null 2>&1; then
            (cd / && runuser -u postgres -- "${cmd[@]}")
        else
            (cd / && su postgres -c "$(printf '%q ' "${cmd[@]}")")
        fi
    elif command -v sudo >/dev/null 2>&1; then
        (cd / && sudo -u postgres "${cmd[@]}")
    else
        die "creating the bouquet role needs root or sudo (to act as the postgres user)"
    fi
}

# The newest PostgreSQL whose server binaries are installed ("" when none is).
pg_installed_version() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1) || true
    [[ -n $dir ]] && basename "$(dirname "$(dirname "$dir")")"
    return 0
}

# Start the packaged cluster (creating one if the package left none) and wait for it.
start_postgres() {
    local version status
    version=$(pg_installed_version)
    if [[ -z $version ]]; then
        log "PostgreSQL is not installed; installing it from Debian's packages"
        apt_install postgresql
        version=$(pg_installed_version)
        [[ -n $version ]] || die "installed postgresql, but no server binaries are in /usr/lib/postgresql"
        # On a machine with systemd the package starts its cluster by itself.
        wait_for 5 pg_ready && return 0
    fi
    if [[ ! -d /etc/postgresql/$version/main ]]; then
        log "creating PostgreSQL cluster $version/main on port $PG_PORT"
        as_root pg_createcluster "$version" main --port "$PG_PORT" >/dev/null
    fi
    # pg_lsclusters columns: Ver Cluster Port Status Owner Data-directory Log-file
    status=$(pg_lsclusters --no-header 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main" {print $3, $4}')
    if [[ ${status% *} != "$PG_PORT" ]]; then
        die "PostgreSQL cluster $version/main is set to port ${status% *}, not $PG_PORT; change 'port' in /etc/postgresql/$version/main/postgresql.conf or set DATABASE_URL"
    fi
    if [[ ${status#* } != online* ]]; then
        log "starting PostgreSQL cluster $version/main"
        as_root pg_ctlcluster "$version" main start ||
            die "pg_ctlcluster $version main start failed; see /var/log/postgresql/postgresql-$version-main.log"
    fi
    wait_for "$WAIT_SECONDS" pg_ready ||
        die "PostgreSQL did not answer on 127.0.0.1:$PG_PORT within ${WAIT_SECONDS}s; see /var/log/postgresql/postgresql-$version-main.log"
}

# The role needs CREATEDB so pytest-django can create its test database.
ensure_role_and_database() {
    # Fast path, needing no privileges: log in as bouquet and look at our own role.
    if [[ $(PGCONNECT_TIMEOUT=3 psql -X -A -t -q "$DEFAULT_DATABASE_URL" \
        -c "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>/dev/null) == t ]]; then
        return 0
    fi
    if [[ -z $(as_postgres_psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'bouquet'") ]]; then
        log "creating role bouquet"
        as_postgres_psql -c "CREATE ROLE bouquet LOGIN PASSWORD 'bouquet' CREATEDB"
    else
        as_postgres_psql -c "ALTER ROLE bouquet LOGIN CREATEDB"
    fi
    if [[ -z $(as_postgres_psql -c "SELECT 1 FROM pg_database WHERE datname = 'bouquet'") ]]; then
        log "creating database bouquet"
        as_postgres_psql -c "CREATE DATABASE bouquet OWNER bouquet"
    fi
}

# --- Redis ---------------------------------------------------------------------------

# PING over a raw socket when redis-cli is missing (Redis may run without its tools).
redis_ready() {
    if command -v redis-cli >/dev/null 2>&1; then
        [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
    else
        (
            exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
            printf 'PING\r\n' >&3
            read -r -t 2 reply <&3 || exit 1
            [[ $reply == "+PONG"* ]]
        ) 2>/dev/null
    fi
}

start_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        log "Redis is not installed; installing it from Debian's packages"
        apt_install redis-server
        # On a machine with systemd the package starts the server by itself.
        wait_for 3 redis_ready && return 0
    fi
    if port_open "$REDIS_PORT"; then
        die "something other than Redis listens on 127.0.0.1:$REDIS_PORT; stop it or set REDIS_URL"
    fi
    # A throwaway server for development and tests: no persistence. Debian's packages
    # do not start it where services are not allowed to start (containers).
    mkdir -p "$RUN_DIR"
    log "starting redis-server on 127.0.0.1:$REDIS_PORT (log in .run/redis.log)"
    redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 \
        --save "" --appendonly no --dir "$RUN_DIR" \
        --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
    wait_for "$WAIT_SECONDS" redis_ready || {
        tail -n 20 "$RUN_DIR/redis.log" >&2 2>/dev/null || true
        die "Redis did not answer on 127.0.0.1:$REDIS_PORT within ${WAIT_SECONDS}s"
    }
}

# --- which services are ours to provide ----------------------------------------------

# "postgresql://" and "localhost" mean the same as the default's spelling.
normalise_url() {
    local url=$1
    url=${url/#postgresql:\/\//postgres://}
    url=${url/@localhost:/@127.0.0.1:}
    url=${url/#redis:\/\/localhost:/redis://127.0.0.1:}
    printf '%s' "$url"
}

main() {
    local db_url redis_url
    db_url=$(normalise_url "${DATABASE_URL:-$DEFAULT_DATABASE_URL}")
    redis_url=$(normalise_url "${REDIS_URL:-$DEFAULT_REDIS_URL}")

    if [[ $db_url == "$DEFAULT_DATABASE_URL" ]]; then
        pg_ready || start_postgres
        ensure_role_and_database
    else
        log "DATABASE_URL points elsewhere; not provisioning PostgreSQL"
    fi

    # Any database number on the local server is ours (tests use /1, the app /0).
    if [[ $redis_url =~ ^redis://127\.0\.0\.1:$REDIS_PORT(/[0-9]+)?$ ]]; then
        redis_ready || start_redis
    else
        log "REDIS_URL points elsewhere; not provisioning Redis"
    fi
}

main "$@"
