#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser). Where it is missing and we are
# root on Debian, install Debian's chromium package; otherwise say what is missing.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "$CHROMIUM is missing. Install Debian's chromium package (or run as root on Debian to have it installed)." >&2
  exit 1
fi

echo "Installing Chromium from Debian's packages (chromium)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "The chromium package did not provide $CHROMIUM" >&2
  exit 1
fi
"$CHROMIUM" --version
