#!/usr/bin/env bash
# Start a TeamHub test container that boots systemd as PID 1, the one way the molecule
# scenarios (molecule/shared/create.yml), the demo (scripts/demo.sh) and the benchmarks
# (bench/benchlib.py) start theirs. Never --privileged: systemd gets SYS_ADMIN, no
# seccomp/AppArmor confinement, the host's cgroup namespace with /sys/fs/cgroup
# writable, and tmpfs on /run, /run/lock and /tmp.
#
#   scripts/systemd-container.sh start [options] NAME IMAGE
#     -p, --publish SPEC   publish a port on 127.0.0.1 only: PORT (a free host port),
#                          HOSTPORT:PORT, 127.0.0.1::PORT or 127.0.0.1:HOSTPORT:PORT
#     --network NAME       attach to this existing Docker network (repeatable)
#     --cap-add CAP        a capability beyond SYS_ADMIN, e.g. NET_ADMIN (repeatable)
#     --device DEV         a host device, e.g. /dev/net/tun (repeatable)
#     --hostname NAME      the container's host name (default: NAME)
#     --volume VOLUME:PATH a named Docker volume mounted at PATH (repeatable; made
#                          when missing, e.g. a home directory several containers share)
#     --label KEY=VALUE    a container label (repeatable)
#     --replace            remove a container of that name first; without it an
#                          existing container is kept (and started if it is stopped)
#     --no-wait            return once the container runs, without waiting for systemd
#     --timeout SECONDS    how long to wait for systemd (default 120)
#   scripts/systemd-container.sh wait NAME [SECONDS]
#     wait until systemd in NAME has booted (is-system-running says running or
#     degraded); fail naming the state it was left in otherwise
#
# `start` prints "created NAME", "started NAME" (an existing stopped one) or
# "running NAME" (already running) on stdout; messages go to stderr.
set -euo pipefail

die() {
  echo "systemd-container.sh: $*" >&2
  exit 2
}

usage() {
  sed -n '/^#   scripts/,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

wait_systemd() {
  local name=$1 timeout=$2 state=unknown deadline
  deadline=$((SECONDS + timeout))
  while :; do
    # is-system-running exits non-zero for everything but "running"; its output is
    # the state ("starting", "degraded", ...), empty while the exec cannot start yet.
    state=$(docker exec "$name" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running | degraded) return 0 ;; esac
    if [ "$(docker container inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then
      die "$name: the container stopped while systemd was booting (docker logs $name)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "$name: systemd did not finish booting within ${timeout} s (state: ${state:-no answer})"
    sleep 1
  done
}

start() {
  local name='' image='' hostname='' replace=false wait=true timeout=120
  local -a extra=() networks=()
  while [ $# -gt 0 ]; do
    # --option=value is --option value.
    case "$1" in --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;; esac
    case "$1" in
      -p | --publish)
        [ $# -ge 2 ] || die "$1 needs a port"
        if [[ $2 =~ ^[0-9]+$ ]]; then extra+=(-p "127.0.0.1::$2")
        elif [[ $2 =~ ^[0-9]+:[0-9]+$ ]]; then extra+=(-p "127.0.0.1:$2")
        elif [[ $2 =~ ^127\.0\.0\.1:[0-9]*:[0-9]+$ ]]; then extra+=(-p "$2")
        else die "$1 $2: ports are published on 127.0.0.1 only (PORT, HOSTPORT:PORT or 127.0.0.1:[HOSTPORT]:PORT)"
        fi
        shift 2 ;;
      --network) [ $# -ge 2 ] || die "$1 needs a network name"; networks+=("$2"); shift 2 ;;
      --cap-add) [ $# -ge 2 ] || die "$1 needs a capability"; extra+=(--cap-add "$2"); shift 2 ;;
      --device) [ $# -ge 2 ] || die "$1 needs a device"; extra+=(--device "$2"); shift 2 ;;
      --label) [ $# -ge 2 ] || die "$1 needs KEY=VALUE"; extra+=(--label "$2"); shift 2 ;;
      --hostname) [ $# -ge 2 ] || die "$1 needs a name"; hostname=$2; shift 2 ;;
      --volume)
        [ $# -ge 2 ] || die "$1 needs VOLUME:PATH"
        # Named volumes only: no directory of the host goes into a test container.
        [[ $2 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*:/[^:]*$ ]] || die "$1 $2: give a named volume and an absolute path, VOLUME:PATH"
        extra+=(--volume "$2"); shift 2 ;;
      --replace) replace=true; shift ;;
      --no-wait) wait=false; shift ;;
      --timeout) [ $# -ge 2 ] || die "$1 needs seconds"; timeout=$2; shift 2 ;;
      -h | --help) usage ;;
      -*) die "unknown option $1 (see --help)" ;;
      *)
        if [ -z "$name" ]; then name=$1
        elif [ -z "$image" ]; then image=$1
        else die "unexpected argument $1 (start takes NAME IMAGE)"; fi
        shift ;;
    esac
  done
  if [ -z "$name" ] || [ -z "$image" ]; then die "start needs NAME and IMAGE (see --help)"; fi
  case "$timeout" in '' | *[!0-9]*) die "--timeout $timeout: not a number of seconds" ;; esac

  if $replace; then
    docker rm -f "$name" >/dev/null 2>&1 || true
  fi
  if ! docker container inspect "$name" >/dev/null 2>&1; then
    # The image is built locally (scripts/build-base-image.sh): never pulled.
    docker run -d --pull never --name "$name" --hostname "${hostname:-$name}" \
      --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
      ${networks[0]:+--network "${networks[0]}"} "${extra[@]}" "$image" /lib/systemd/systemd >/dev/null
    # docker run takes one network (Docker 20.10); the others are connected after.
    for network in "${networks[@]:1}"; do
      docker network connect "$network" "$name"
    done
    echo "created $name"
  elif [ "$(docker container inspect -f '{{.State.Running}}' "$name")" != true ]; then
    docker start "$name" >/dev/null
    echo "started $name"
  else
    echo "running $name"
  fi
  if $wait; then
    wait_systemd "$name" "$timeout"
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  wait)
    if [ $# -lt 2 ] || [ $# -gt 3 ]; then die "usage: $0 wait NAME [SECONDS]"; fi
    case "${3:-120}" in *[!0-9]*) die "wait $2 ${3}: not a number of seconds" ;; esac
    wait_systemd "$2" "${3:-120}" ;;
  -h | --help) usage ;;
  *) usage ;;
esac
