#!/usr/bin/env bash
# What replication costs: the single-node workloads (reads, writes10, mixed90, range; 100
# transactions in flight, strata-bench) on one process (single), on three processes with
# double redundancy and on five with triple, all on this machine (scripts/cluster.sh,
# every process of class unset and a zone of its own, memory engine), one table row per
# run with the ratio of its transactions/s to the single process's.
#
# Environment: DURATION_S (seconds each workload is measured, default 20), KEYS (key space
# loaded first, default 100000), LAYOUTS (default "1:single 3:double 5:triple").
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration_s="${DURATION_S:-20}"
keys="${KEYS:-100000}"
layouts="${LAYOUTS:-1:single 3:double 5:triple}"
workloads=(reads writes10 mixed90 range)
dir="$PWD/strata-replicated-bench"
base_port=5300

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep 'Model name' || true

echo "== build"
"$repo_root/scripts/install-deps.sh" >/dev/null
"$repo_root/scripts/build.sh" release strata-server strata strata-bench >/dev/null
bench="$repo_root/build/src/tools/bench/strata-bench"
cluster_sh="$repo_root/scripts/cluster.sh"
trap '"$cluster_sh" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

field() { python3 "$repo_root/bench/report_field.py" "$1" "$2"; }

declare -A single_rate
printf '\n%-10s %-9s %10s %7s %9s %9s %9s %9s\n' layout workload "txn/s" ratio commit50 \
  commit99 read50 read99
for layout in $layouts; do
  processes="${layout%%:*}"
  redundancy="${layout##*:}"
  "$cluster_sh" down --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
  "$cluster_sh" up "$processes" --dir "$dir" --base-port "$base_port" --class unset \
    --redundancy "$redundancy" >/dev/null
  for workload in "${workloads[@]}"; do
    report="$dir/$workload.json"
    "$bench" --workload "$workload" --in-flight 100 --duration "$duration_s" --keys "$keys" \
      --cluster-file "$dir/strata.cluster" --json "$report" >/dev/null
    rate="$(field "$report" transactions_per_sec)"
    if [[ "$redundancy" == single ]]; then single_rate[$workload]="$rate"; fi
    ratio="-"
    if [[ -n "${single_rate[$workload]:-}" && "${single_rate[$workload]}" != 0 ]]; then
      ratio="$(python3 -c "print(f'{$rate / ${single_rate[$workload]}:.2f}')")"
    fi
    printf '%-10s %-9s %10s %7s %9s %9s %9s %9s\n' "$processes:$redundancy" "$workload" \
      "$rate" "$ratio" "$(field "$report" latency_ms.commit.p50)" \
      "$(field "$report" latency_ms.commit.p99)" "$(field "$report" latency_ms.read.p50)" \
      "$(field "$report" latency_ms.read.p99)"
  done
done
