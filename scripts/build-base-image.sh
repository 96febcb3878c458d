#!/usr/bin/env bash
# Build a bare Debian base image for the test containers and the demo, without any
# container registry: debootstrap a minimal root filesystem and `docker import` it.
#
#   scripts/build-base-image.sh bookworm   -> teamhub/debian:12
#   scripts/build-base-image.sh trixie     -> teamhub/debian:13
#
# The image is rebuilt only when the tag is missing (FORCE=1 rebuilds it).
# The Debian mirror is read from this host's own apt configuration; set
# TEAMHUB_APT_MIRROR to override it.
set -euo pipefail

suite=${1:?usage: $0 bookworm|trixie}
case "$suite" in
  bookworm) tag=teamhub/debian:12 ;;
  trixie) tag=teamhub/debian:13 ;;
  *) echo "unsupported suite '$suite' (bookworm or trixie)" >&2; exit 2 ;;
esac

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag already present"
  exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
mirror=${TEAMHUB_APT_MIRROR:-$("$here/apt-mirror.sh")}
if [ -z "$mirror" ]; then
  echo "no Debian mirror found in this host's apt configuration; set TEAMHUB_APT_MIRROR" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    echo "Installing debootstrap from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  else
    echo "debootstrap is missing: apt-get install debootstrap" >&2
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "debootstrap $suite from $mirror into $work (about a minute)"
# A bare server as a team lead gets it: systemd as init, Python for Ansible, sudo.
# Everything else (OpenSSH, Node.js, ...) must be installed by the roles themselves.
debootstrap --variant=minbase --include=python3,systemd,systemd-sysv,sudo,ca-certificates \
  "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

root=$work/rootfs
# Units that make no sense in a container and slow down or break its boot.
for unit in systemd-remount-fs.service systemd-udevd.service systemd-udev-trigger.service \
  getty@tty1.service console-getty.service systemd-firstboot.service \
  systemd-networkd-wait-online.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
: >"$root/etc/machine-id"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | docker import \
  --change 'CMD ["/lib/systemd/systemd"]' \
  --change 'ENV container=docker' \
  - "$tag" >/dev/null
echo "built $tag"
