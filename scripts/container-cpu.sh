#!/bin/sh
# "<container> <CPU seconds since it last started>" for each running container named
# (a docker restart starts the count again), from its cgroup (cgroup
# v1 cpuacct or v2 cpu.stat, Docker's cgroupfs or systemd driver; "?" where none is
# found), appended to $TEAMHUB_CPU_LOG (scripts/molecule-all.sh sets it) or printed.
# molecule/shared/destroy.yml calls it just before it removes a scenario's containers.
#   scripts/container-cpu.sh NAME...
[ -z "${TEAMHUB_CPU_LOG:-}" ] || exec >>"$TEAMHUB_CPU_LOG"
for name in "$@"; do
  id=$(docker inspect --format '{{.Id}}' "$name" 2>/dev/null) || continue
  seconds="?"
  for f in "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" "/sys/fs/cgroup/cpu,cpuacct/docker/$id/cpuacct.usage"; do
    if [ -r "$f" ]; then seconds=$(($(cat "$f") / 1000000000)); break; fi
  done
  if [ "$seconds" = "?" ]; then
    for f in "/sys/fs/cgroup/docker/$id/cpu.stat" "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat"; do
      if [ -r "$f" ]; then seconds=$(awk '$1 == "usage_usec" { print int($2 / 1000000) }' "$f"); break; fi
    done
  fi
  echo "$name $seconds"
done
