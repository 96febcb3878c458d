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
  # The CPU time the scenario's containers used, noted by its destroy (container-cpu.sh).
  export TEAMHUB_CPU_LOG="$logs/$scenario.cpu"
  rm -f "$TEAMHUB_CPU_LOG"
  # Beside the log, when each of molecule's actions began ("<epoch> <action>"), for the
  # time each took in the summary line. Both ends unbuffered (Python and mawk buffer
  # pipes by the block), so that each line is stamped when it is written.
  PYTHONUNBUFFERED=1 nice -n 10 molecule test -s "$scenario" 2>&1 | tee "$logs/$scenario.log" |
    mawk -W interactive '/\[[a-z0-9_-]+ > [a-z_]+\] Executing$/ { sub(/.*> /, ""); sub(/\].*/, ""); print strftime("%s"), $0; fflush() }' \
      >"$logs/$scenario.steps"
  rc=${PIPESTATUS[0]}
  end=$(date +%s)
  # CPU seconds: the controller side (molecule, ansible-playbook, pytest, the browser:
  # every process this one waited for) and inside the containers. With all scenarios on
  # a few cores, their sum is what makes the suite long.
  # (times here, not in a $(...) subshell, which has no children of its own.)
  times >"$logs/$scenario.times"
  controller_cpu=$(tail -n 1 "$logs/$scenario.times" | mawk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += p[1] * 60 + p[2] } printf "%d", n }')
  container_cpu=$(mawk '$2 ~ /^[0-9]+$/ { n += $2 } END { printf "%d", n }' "$TEAMHUB_CPU_LOG" 2>/dev/null)
  # "converge 812 s, idempotence 301 s, ..." (actions under 30 s are left out).
  steps=$(mawk -v end="$end" '{ t[NR] = $1; a[NR] = $2 } END {
      for (i = 1; i <= NR; i++) { d = (i < NR ? t[i + 1] : end) - t[i]; if (d >= 30) s = s (s ? ", " : "") a[i] " " d " s" }
      print s }' "$logs/$scenario.steps")
  # One line for the summary: time, exit code, pytest's count, and the step that failed.
  tests=$(grep -aE '^=+ .*[0-9]+ (passed|failed|error)' "$logs/$scenario.log" | tail -1 | sed -E 's/^=+ //; s/ in [0-9.]+s.*//')
  result="exit $rc after $((end - start)) s${tests:+ ($tests)}; CPU ${controller_cpu:-?} s controller, ${container_cpu:-?} s containers${steps:+; $steps}"
  if [ "$rc" != 0 ]; then
    # Molecule names the failed action ("An error occurred during the test sequence
    # action: 'verify'"), then cleans up; without that line, the last action it began.
    step=$(grep -aoE "error occurred during the test sequence action: '[a-z_]+'" "$logs/$scenario.log" | tail -1 | sed -E "s/.*'([a-z_]+)'/\1/")
    [ -n "$step" ] || step=$(tail -n 1 "$logs/$scenario.steps" | cut -d ' ' -f 2)
    result="$result, failed in: ${step:-?}"
  fi
  echo "=== molecule scenario $scenario: $result" >>"$logs/$scenario.log"
  {
    echo "=== molecule scenario $scenario (log: .build/molecule/$scenario.log)"
    cat "$logs/$scenario.log"
  } | flock "$logs/.print" cat
  exit "$rc"
fi

rm -f "$logs"/*.log
start=$(date +%s)
printf '%s\n' "$@" | xargs -P "${JOBS:-4}" -I{} "$0" --one {}
rc=$?
echo "=== molecule summary"
for scenario in "$@"; do
  grep -ah '^=== molecule scenario .*: exit' "$logs/$scenario.log" 2>/dev/null ||
    echo "=== molecule scenario $scenario: did not finish"
done
failed=0
for scenario in "$@"; do
  grep -aqs '^=== molecule scenario .*: exit 0 ' "$logs/$scenario.log" && continue
  failed=$((failed + 1))
  # pytest's short summary names each failed test and its reason: repeated here, at the
  # end, where a CI report that keeps only the last lines still shows it.
  grep -aE '^(FAILED|ERROR) [^ ]+\.py::' "$logs/$scenario.log" | cut -c 1-400 | sed "s/^/=== $scenario: /"
done
echo "=== molecule total: $# scenarios, $failed failed, $(($(date +%s) - start)) s, ${JOBS:-4} at a time"
exit "$rc"
