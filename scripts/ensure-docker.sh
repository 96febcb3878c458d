#!/usr/bin/env bash
# Make sure a Docker engine answers. Where none does and we are root on Debian,
# install Debian's docker.io and start dockerd; otherwise say what is missing.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "No Docker engine answers. Start one (or run as root on Debian to have it installed)." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "Installing Docker engine from Debian's packages (docker.io)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if [ -d /run/systemd/system ] && systemctl start docker 2>/dev/null; then
  :
else
  echo "Starting dockerd in the background (log: /var/log/teamhub-dockerd.log)"
  # In its own session, so the end of the shell or job that started it does not take it along.
  setsid nohup dockerd >/var/log/teamhub-dockerd.log 2>&1 </dev/null &
fi

for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "dockerd did not answer within 60 s; see /var/log/teamhub-dockerd.log" >&2
exit 1
