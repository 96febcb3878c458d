#!/usr/bin/env bash
# The local demo: a systemd container `teamhub-demo` on this machine, converged with
# playbooks/site.yml against inventories/sandbox. Ports are published on 127.0.0.1 only.
#   scripts/demo.sh up     start (or refresh) the demo; safe to re-run
#   scripts/demo.sh down   remove the container and the demo's local key and password
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
name=teamhub-demo
image=${TEAMHUB_DEMO_IMAGE:-teamhub/debian:12}
ssh_port=${TEAMHUB_DEMO_SSH_PORT:-2222}
hub_port=${TEAMHUB_DEMO_HUB_PORT:-8000}
sandbox=$top/.sandbox
# conda in the demo: "standin" (default) installs the test stand-in from tests/fakeconda,
# which needs only PyPI; "real" downloads Miniconda and uses real conda channels.
conda_mode=${TEAMHUB_DEMO_CONDA:-standin}

up() {
  mkdir -p "$sandbox"
  chmod 700 "$sandbox"
  # The demo member's SSH key and web password, made here and never committed.
  [ -f "$sandbox/demo_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C teamhub-demo -f "$sandbox/demo_ed25519"
  if [ ! -f "$sandbox/demo.password" ]; then
    (umask 077; openssl rand -base64 12 | tr -d '/+=' >"$sandbox/demo.password")
    openssl passwd -6 -stdin <"$sandbox/demo.password" >"$sandbox/demo.hash"
  fi

  # The helper keeps an existing container (starting it if it is stopped) and waits
  # until systemd has booted.
  docker container inspect "$name" >/dev/null 2>&1 || echo "Starting container $name from $image"
  scripts/systemd-container.sh start -p "$ssh_port:22" -p "$hub_port:8000" "$name" "$image" >/dev/null

  extra=()
  if [ "$conda_mode" = standin ]; then
    echo "conda in this demo: the test stand-in (tests/fakeconda); TEAMHUB_DEMO_CONDA=real for real Miniconda"
    tests/fakeconda/make-installer.sh "$sandbox/installer" >/dev/null
    installer=$sandbox/installer/Miniconda3-teamhub-fake-Linux-x86_64.sh
    extra=(-e "miniconda_installer_src=$installer" -e "miniconda_installer_checksum=$(cat "$installer.sha256")")
    # The stand-in builds environments as venvs.
    docker exec "$name" sh -c 'dpkg -s python3-venv >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }'
  fi

  ansible-playbook -i inventories/sandbox playbooks/site.yml "${extra[@]}"

  cat <<MSG

TeamHub demo is up (container $name).
  SSH as the demo member:  ssh -i .sandbox/demo_ed25519 -p $ssh_port demo@127.0.0.1
  JupyterHub:              http://127.0.0.1:$hub_port
      user: demo   password: $(cat "$sandbox/demo.password")   (kept in .sandbox/demo.password)
  Remove it all:           make demo-clean
MSG
}

down() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$sandbox"
  echo "Removed $name and .sandbox/"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
