#!/usr/bin/env bash
# Runs inside the image build container (scripts/mirrors.sh image): installs the three
# caching mirrors of the test run on Debian 12. The npm mirror's node_modules arrive
# already installed from npm/package-lock.json (plain JavaScript, no native parts).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# No init system runs here: package scripts must not try to start services.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
apt-get update -qq
apt-get install -y -qq --no-install-recommends apt-cacher-ng python3-venv nodejs >/dev/null
rm -f /usr/sbin/policy-rc.d
rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
python3 -m venv /opt/teamhub-mirrors/pypi
/opt/teamhub-mirrors/pypi/bin/pip install -q --no-deps -r /opt/teamhub-mirrors/requirements.txt
