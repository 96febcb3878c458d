#!/usr/bin/env bash
# Run molecule scenarios, JOBS at a time (default 4), each with its own log under
# .build/molecule/; print every log when it ends and fail if any scenario failed.
#   scripts/molecule-all.sh SCENARIO...
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/.build/molecule
mkdir -p "$logs"
cd "$top" || exit 1

if [ "${1:-}" = --one ]; then
  scenario=$2
  start=$(date +%s)
  # The controller side (ansible-playbook, pytest, the browser) yields the CPU to the
  # containers under test: on cgroup v1 hosts all containers together weigh as much
  # as one ordinary process of the host.
  nice -n 10 molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1
  rc=$?
  echo "=== molecule scenario $scenario: exit $rc after $(($(date +%s) - start)) s" >>"$logs/$scenario.log"
  {
    echo "=== molecule scenario $scenario (log: .build/molecule/$scenario.log)"
    cat "$logs/$scenario.log"
  } | flock "$logs/.print" cat
  exit "$rc"
fi

rm -f "$logs"/*.log
printf '%s\n' "$@" | xargs -P "${JOBS:-4}" -I{} "$0" --one {}
rc=$?
echo "=== molecule summary"
grep -h '^=== molecule scenario .*: exit' "$logs"/*.log
exit "$rc"
