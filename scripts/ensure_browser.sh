#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download does not work offline). Install it where it is missing; `make test-fast`
# skips the browser tests and never calls this.
set -euo pipefail

say() { printf '\033[1m[browser]\033[0m %s\n' "$*" >&2; }

[[ -x /usr/bin/chromium ]] && exit 0
[[ $EUID -eq 0 ]] && SUDO=() || SUDO=(sudo)
command -v apt-get >/dev/null || { say "Chromium is missing and apt-get is not here: install chromium by hand"; exit 1; }
say "Chromium is not installed; installing it from Debian's packages"
# A fresh machine's package lists are often empty.
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
