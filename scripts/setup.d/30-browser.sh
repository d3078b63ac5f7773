#!/usr/bin/env bash
# Browser tests (tests/browser/): Debian's Chromium at /usr/bin/chromium, driven by the
# npm package playwright-core (installed by 20-node-tools.sh from package-lock.json).
# Playwright's own browser download is never used: it cannot reach its CDN here.
# Idempotent: installs chromium only when /usr/bin/chromium is missing.
# Run by `scripts/setup.sh --all` and by scripts/test-browser.sh.
set -euo pipefail

log() { echo "[setup] $*" >&2; }
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

if [[ ! -x /usr/bin/chromium ]]; then
    log "apt-get install chromium (browser tests)"
    $SUDO apt-get update -qq
    # fonts-dejavu-core: readable text in screenshots on a minimal machine.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        chromium fonts-dejavu-core >/dev/null
fi
