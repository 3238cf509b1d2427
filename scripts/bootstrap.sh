#!/usr/bin/env bash
# What must be true before the virtualenv can run anything: PostgreSQL and Redis answer
# on 127.0.0.1 with the bouquet role and database, and .venv holds the project.
#
# Idempotent, and about a second when all is in place. Each service is running (left
# alone), installed but stopped (started), or absent (installed from Debian, then
# started). A DATABASE_URL or REDIS_URL pointing at another host is the caller's to run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"
VENV="$ROOT/.venv"
STAMP="$VENV/.bouquet-installed"
WAIT=${SERVICE_WAIT_SECONDS:-30}

say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bootstrap] error:\033[0m %s\n' "$*" >&2; exit 1; }
[[ $EUID -eq 0 ]] && SUDO=() || SUDO=(sudo)

# The caller's environment wins, then .env (local overrides, as honcho reads it), then dev.env.
default() {
    local file value found=""
    for file in "$ROOT/dev.env" "$ROOT/.env"; do
        [[ -f $file ]] && value=$(sed -n "s/^$1=//p" "$file" | tail -n 1) && [[ -n $value ]] && found=$value
    done
    printf '%s' "$found"
}
DATABASE_URL=${DATABASE_URL:-$(default DATABASE_URL)}
REDIS_URL=${REDIS_URL:-$(default REDIS_URL)}

# A fresh machine's package lists are often empty, hence one update before the first install.
APT_UPDATED=0
apt_install() {
    if [[ $APT_UPDATED == 0 ]]; then say "apt-get update"; "${SUDO[@]}" apt-get update -qq; APT_UPDATED=1; fi
    say "apt-get install $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() {
    local i
    for ((i = 0; i < WAIT * 5; i++)); do "$@" && return 0; sleep 0.2; done
    return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- PostgreSQL ---------------------------------------------------------------------

pg_ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }

# psql as the postgres OS user (peer authentication), from / which that user can read.
as_postgres() {
    local cmd=(psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1")
    if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "${cmd[@]}")
    else (cd / && sudo -u postgres "${cmd[@]}"); fi
}

start_postgres() {
    local bin version
    bin=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1) || true
    if [[ -z $bin ]]; then
        apt_install postgresql
        WAIT=5 wait_for pg_ready && return 0   # where systemd runs, the package starts its cluster
        bin=$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)
    fi
    version=$(basename "$(dirname "$(dirname "$bin")")")
    # The package may have left no cluster (e.g. its postinst ran without a locale).
    if [[ ! -d /etc/postgresql/$version/main ]]; then
        say "creating PostgreSQL cluster $version/main"
        "${SUDO[@]}" pg_createcluster "$version" main --port 5432 >/dev/null
    fi
    say "starting PostgreSQL $version/main"
    "${SUDO[@]}" pg_ctlcluster "$version" main start 2>/dev/null || true   # "already running" is fine
    wait_for pg_ready || die "PostgreSQL did not answer on 127.0.0.1:5432 within ${WAIT}s; see /var/log/postgresql/ (is its port 5432?)"
}

# The role needs CREATEDB so pytest-django can create its test databases.
ensure_role_and_database() {
    # Fast path, no privileges needed: log in as bouquet and look at our own role.
    [[ $(PGCONNECT_TIMEOUT=3 psql -X -A -t -q "$(default DATABASE_URL)" \
        -c "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>/dev/null) == t ]] && return 0
    if [[ -z $(as_postgres "SELECT 1 FROM pg_roles WHERE rolname = 'bouquet'") ]]; then
        say "creating role bouquet"
        as_postgres "CREATE ROLE bouquet LOGIN PASSWORD 'bouquet' CREATEDB"
    else
        as_postgres "ALTER ROLE bouquet LOGIN PASSWORD 'bouquet' CREATEDB"
    fi
    if [[ -z $(as_postgres "SELECT 1 FROM pg_database WHERE datname = 'bouquet'") ]]; then
        say "creating database bouquet"
        as_postgres "CREATE DATABASE bouquet OWNER bouquet"
    fi
}

# --- Redis --------------------------------------------------------------------------

# PING over a raw socket: Redis may run where redis-cli is not installed.
redis_ready() {
    (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 &&
        [[ $reply == "+PONG"* ]]) 2>/dev/null
}

start_redis() {
    if ! command -v redis-server >/dev/null; then
        apt_install redis-server
        WAIT=3 wait_for redis_ready && return 0   # where systemd runs, the package starts it
    fi
    port_open 6379 && die "something other than Redis listens on 127.0.0.1:6379; stop it or set REDIS_URL"
    # A throwaway server: no persistence. Debian does not start it in containers.
    mkdir -p "$RUN_DIR"
    say "starting redis-server on 127.0.0.1:6379 (log in .run/redis.log)"
    redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$RUN_DIR" --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
    wait_for redis_ready || die "Redis did not answer on 127.0.0.1:6379 within ${WAIT}s; see .run/redis.log"
}

# --- the virtualenv -----------------------------------------------------------------

# Python 3.11 exactly: pyproject.toml pins it (Django 5.2 is the last LTS for it).
is_311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

ensure_venv() {
    if ! { [[ -x $VENV/bin/python ]] && is_311 "$VENV/bin/python"; }; then
        local py
        command -v python3 >/dev/null || apt_install python3   # slim images have none
        py=$(command -v python3.11 || command -v python3)
        is_311 "$py" || die "$py is not Python 3.11"
        # Debian strips ensurepip out of its Python; python3-venv puts it back.
        "$py" -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
        rm -rf "$VENV"   # an interpreter that is gone or not 3.11: rebuild, don't patch
        say "creating .venv with $py"
        "$py" -m venv "$VENV"
    fi
    if [[ ! -e $STAMP || $ROOT/pyproject.toml -nt $STAMP ]]; then
        say "installing the project and its dev tools into .venv"
        (cd "$ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]')
        touch "$STAMP"
    fi
}

# "localhost" and "postgresql://" spell the same local services.
local_url() { [[ $1 =~ ^(postgres|postgresql|redis)://([^@/]*@)?(127\.0\.0\.1|localhost):$2(/|$) ]]; }

if local_url "$DATABASE_URL" 5432; then
    command -v psql >/dev/null || apt_install postgresql-client
    pg_ready || start_postgres
    ensure_role_and_database
else
    say "DATABASE_URL points elsewhere; not provisioning PostgreSQL"
fi
if local_url "$REDIS_URL" 6379; then
    redis_ready || start_redis
else
    say "REDIS_URL points elsewhere; not provisioning Redis"
fi
ensure_venv
