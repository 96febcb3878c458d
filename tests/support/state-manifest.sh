#!/usr/bin/env bash
# Print a manifest of the state TeamHub's roles manage on a host, to compare before and
# after a run that must change nothing (check mode, bad input). Run as root on the host:
#   docker exec -i CONTAINER bash -s < tests/support/state-manifest.sh
# Every file, directory and link under the roles' paths with its type, mode, owner and
# group (files and links also size, mtime and link target); the sha256 of every regular
# file outside the big software trees (conda and the hub venv: size and mtime); installed
# packages; enabled units; and the main PID of the long-running services (a restart
# shows). Volatile files are left out: the hub's database and logs, the members' own
# runtime and cache files, Python bytecode caches.
set -euo pipefail
export LC_ALL=C

ROOTS=(/etc /opt /usr/local /home /srv /var/lib/teamhub /var/lib/jupyterhub /root/.ssh)
PRUNE=(
  -path /etc/mtab -o -path /etc/ld.so.cache -o -path /etc/.pwd.lock
  -o -path '/var/lib/jupyterhub/jupyterhub.sqlite*' -o -path '/var/lib/jupyterhub/*.log'
  -o -path '/home/*/.local' -o -path '/home/*/.cache' -o -path '/home/*/.jupyter'
  -o -path '/home/*/.ipython' -o -path '/home/*/.ipynb_checkpoints' -o -path '/home/*/.bash_history'
  -o -name __pycache__ -o -path /opt/conda/pkgs/.fakeconda-scratch
)
HASHED=(/etc /usr/local/share /usr/local/etc /usr/local/bin /home /srv /var/lib/teamhub /var/lib/jupyterhub /root/.ssh)

existing() {
  local d
  for d in "$@"; do
    if [ -e "$d" ]; then printf '%s\n' "$d"; fi
  done
}

mapfile -t roots < <(existing "${ROOTS[@]}")
mapfile -t hashed < <(existing "${HASHED[@]}")

echo "## files"
# Directories without size and mtime: those change when an entry comes and goes again.
find "${roots[@]}" -xdev \( "${PRUNE[@]}" \) -prune \
  -o -type d -printf '%p %y %m %u %g\n' \
  -o -printf '%p %y %m %u %g %s %T@ %l\n' | sort

echo "## contents"
if [ "${#hashed[@]}" -gt 0 ]; then
  find "${hashed[@]}" -xdev \( "${PRUNE[@]}" \) -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum
fi

echo "## packages"
dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' | sort

echo "## enabled units"
systemctl list-unit-files --state=enabled --no-legend --no-pager | awk '{print $1}' | sort

echo "## services"
for unit in ssh jupyterhub jupyterhub-proxy; do
  printf '%s %s\n' "$unit" "$(systemctl show -p MainPID -p ActiveState --value "$unit.service" | paste -sd' ')"
done
