#!/usr/bin/env bash
# A long simulation run, outside the test suite: many fresh seeds of the given tests on
# the optimized build, spread over parallel jobs, with a summary and the command that
# reproduces every failure.
#
#   scripts/simulation-sweep.sh [--seeds N] [--first-seed S] [--jobs J] [TEST...]
#
# N seeds per test (default 1000) from S (default 1), J jobs (default: the number of
# cores). Without tests: the cluster specs (coordinators, recovery, permanent faults,
# partitions, configuration and coordinator changes, redundancy, zone losses, spilling,
# shard moves, re-replication, redundancy changes, exclusions, shard sizes). Logs go to
# sweep-logs/<start time>/ in the current folder. Exit status 0 when every seed passed, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seeds=1000
first=1
jobs="$(nproc)"
tests=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) seeds="$2"; shift 2 ;;
    --first-seed) first="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) tests+=("$1"); shift ;;
  esac
done
if [[ ${#tests[@]} -eq 0 ]]; then
  tests=(log_lock_acknowledged roles_spread controller_kills permanent_losses
         machine_replacement coordinator_losses isolation configure_under_load
         coordinator_changes double_teams triple_zone_failures triple_storage_losses
         triple_all_copies_down storage_down_spilling shard_moves shard_moves_faults
         storage_losses_rereplicated redundancy_up redundancy_down exclusions
         exclusions_failed shard_splits storage_joins overload)
fi

"$root/scripts/install-deps.sh" >/dev/null
"$root/scripts/build.sh" release strata-sim >/dev/null
sim="$root/build/src/tools/strata-sim"
# A folder of its own per run, so that the summary counts this run's seeds only.
logs="$PWD/sweep-logs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$logs"

echo "== $(date -u +%FT%TZ) commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
echo "== $seeds seeds per test from seed $first, $jobs jobs: ${tests[*]}"
start=$(date +%s)
# One job per (test, slice of seeds).
slice=$(( (seeds + jobs - 1) / jobs ))
work=()
for test in "${tests[@]}"; do
  for (( from = first; from < first + seeds; from += slice )); do
    count=$(( first + seeds - from < slice ? first + seeds - from : slice ))
    work+=("$test $from $count")
  done
done
printf '%s\n' "${work[@]}" | xargs -P "$jobs" -L 1 bash -c \
  '"$0" --test "$1" --seed "$2" --runs "$3" > "'"$logs"'/$1.$2.log" 2>&1 || true' "$sim"

failed=0
for test in "${tests[@]}"; do
  passed=$(cat "$logs/$test".*.log | grep -c ' PASS$' || true)
  failures=$(cat "$logs/$test".*.log | grep -c ' FAIL$' || true)
  printf '%-28s %6d passed %4d failed\n' "$test" "$passed" "$failures"
  if (( failures > 0 || passed != seeds )); then
    failed=1
    { grep -h 'reproduce:' "$logs/$test".*.log || true; } | sed 's/^/    /' | head -20
  fi
done
echo "== $(( $(date +%s) - start )) s"
exit $failed
