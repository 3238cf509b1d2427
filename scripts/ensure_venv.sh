#!/usr/bin/env bash
# Make sure .venv exists (Python 3.11) and holds the project with its dev extras.
#
# The install runs only when pyproject.toml is newer than a stamp file inside .venv,
# so a second run takes a fraction of a second.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=venv

STAMP="$VENV/.bouquet-installed"

# Python 3.11 exactly: Django 5.2 is the last LTS for it, and pyproject.toml pins it.
find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Debian strips ensurepip out of its Python; "python3 -m venv" then fails until the
# python3-venv package is installed. Install it only when it is really missing.
ensure_venv_module() {
    local python=$1
    "$python" -c 'import venv, ensurepip' 2>/dev/null && return 0
    log "$python cannot create virtual environments (no ensurepip); installing python3-venv"
    apt_install python3-venv
    "$python" -c 'import venv, ensurepip' 2>/dev/null ||
        die "$python still cannot create virtual environments after installing python3-venv"
}

# A .venv whose interpreter is gone (e.g. the Python it was made from was removed) or
# is not 3.11 is rebuilt rather than patched.
venv_usable() {
    [[ -x $VENV/bin/python ]] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}

create_venv() {
    local python
    python=$(find_python) ||
        die "Python 3.11 not found (tried python3.11 and python3); on Debian 12: apt-get install python3"
    ensure_venv_module "$python"
    if [[ -e $VENV ]]; then
        log "rebuilding $VENV (its interpreter is missing or not Python 3.11)"
        rm -rf "$VENV"
    fi
    log "creating .venv with $python"
    "$python" -m venv "$VENV" || { rm -rf "$VENV"; die "could not create $VENV"; }
}

install_project() {
    log "installing the project and its dev tools into .venv (about 20 s the first time)"
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]')
    touch "$STAMP"
}

main() {
    venv_usable || create_venv
    if [[ ! -e $STAMP || $REPO_ROOT/pyproject.toml -nt $STAMP ]]; then
        install_project
    fi
}

main "$@"
