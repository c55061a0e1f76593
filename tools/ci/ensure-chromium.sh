#!/usr/bin/env bash
# The account page's browser tests drive Debian's Chromium (never a browser Playwright would
# download). Installs it through apt when it is missing; leaves an installed one alone.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
echo "ensure-chromium: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# A stale package index names versions the mirror no longer has: update, then install.
$SUDO apt-get update -qq || echo "ensure-chromium: apt-get update failed; trying the cached index"
$SUDO apt-get install -y -qq chromium
"$CHROMIUM" --version
