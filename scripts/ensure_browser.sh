#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (a test tool's own
# browser download does not work offline). Install it when it is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=browser

if [[ ! -x /usr/bin/chromium ]]; then
    log "Chromium is not installed; installing it from Debian's packages"
    apt_install chromium
fi
