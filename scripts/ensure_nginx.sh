#!/usr/bin/env bash
# nginx stands in front of the web hosts in production, and so in `make bench`,
# `make chaos` and the tests that run the site file (deploy/nginx/bouquet.conf). Install
# it from Debian's packages where it is missing. bench/edge.py runs it in the
# foreground with a prefix of its own, so the packaged service need not run (and is
# not started here).
set -euo pipefail

say() { printf '\033[1m[nginx]\033[0m %s\n' "$*" >&2; }

# Outside root's PATH, /usr/sbin is often not searched.
if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then exit 0; fi
[[ $EUID -eq 0 ]] && SUDO=() || SUDO=(sudo)
command -v apt-get >/dev/null || { say "nginx is missing and apt-get is not here: install nginx by hand"; exit 1; }
say "nginx is not installed; installing it from Debian's packages"
# A fresh machine's package lists are often empty.
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
