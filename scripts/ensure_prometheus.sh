#!/usr/bin/env bash
# The alert rules' tests run Debian's Prometheus: `promtool check rules` and `promtool
# test rules` on deploy/prometheus/, and a real Prometheus scraping a running platform
# (tests/deploy/). Install it where it is missing. Debian's package also enables a
# system-wide Prometheus on port 9090; the tests start their own on a free port, so
# that one is stopped and disabled where this script installed it.
set -euo pipefail

say() { printf '\033[1m[prometheus]\033[0m %s\n' "$*" >&2; }

[[ -x /usr/bin/prometheus && -x /usr/bin/promtool ]] && exit 0
[[ $EUID -eq 0 ]] && SUDO=() || SUDO=(sudo)
command -v apt-get >/dev/null || { say "Prometheus is missing and apt-get is not here: install prometheus by hand"; exit 1; }
say "Prometheus is not installed; installing it from Debian's packages"
# A fresh machine's package lists are often empty.
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
if command -v systemctl >/dev/null && systemctl is-enabled --quiet prometheus 2>/dev/null; then
    "${SUDO[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
