#!/usr/bin/env bash
# Overload: what the cluster does when clients ask for twice what it can take.
#
#   scripts/overload-bench.sh [--processes N] [--duration SECONDS] [--dir DIR]
#                             [--workload NAME] [--value-bytes N] [--knob NAME=VALUE]...
#
# Starts a cluster of N processes (default 5) with scripts/cluster.sh (knobs go to every
# server), measures the most transactions per second the workload (default writes10)
# sustains (closed loop, 2,000 in flight, 30 s), then offers twice that for --duration
# seconds (default 120) while
#   - a probe runs 20 system-immediate transactions a second (a read version and one point
#     read each) and reports their latency,
#   - every strata-server's resident memory is sampled each second,
#   - the status document is read every 10 s for what limits the cluster (qos).
# Prints the sustained rate, the rate under overload and its ratio to the sustained one,
# the probe's p50/p99, each process's peak resident memory, and the limits status showed.
# Everything it ran is left in DIR (default ./overload-bench) for a look.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="$root/build/src/tools/bench/strata-bench"
shell="$root/build/src/tools/strata"

processes=5
duration=120
dir="$PWD/overload-bench"
workload=writes10
value_bytes=100
knobs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --processes) processes="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --workload) workload="$2"; shift 2 ;;
    --value-bytes) value_bytes="$2"; shift 2 ;;
    --knob) knobs+=(--knob "$2"); shift 2 ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

"$root/scripts/build.sh" release strata-server strata strata-bench >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
cluster="$dir/cluster"
"$root/scripts/cluster.sh" up "$processes" --dir "$cluster" --base-port 4700 "${knobs[@]}" \
  >"$dir/cluster.out"
trap '"$root/scripts/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true' EXIT
cluster_file="$cluster/strata.cluster"

json_field() {  # json_field FILE EXPRESSION
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

echo "== sustained rate: $workload, closed loop, 30 s"
"$bench" --workload "$workload" --cluster-file "$cluster_file" --duration 30 --in-flight 2000 \
  --value-bytes "$value_bytes" --json "$dir/sustained.json" >"$dir/sustained.out"
sustained=$(json_field "$dir/sustained.json" 'd["transactions_per_sec"]')
offered=$(python3 -c "print(round(2 * $sustained))")
echo "   $sustained transactions/s sustained; offering $offered for $duration s"

pids=$(pgrep -f "strata-server.*$cluster" || true)
sample_memory() {
  while true; do
    for pid in $pids; do
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      echo "$pid $rss"
    done
    sleep 1
  done
}
sample_memory >"$dir/rss.samples" &
sampler=$!
sample_qos() {
  while true; do
    "$shell" -C "$cluster_file" --exec "status json" 2>/dev/null |
      python3 -c "
import json,sys
try:
  q=json.load(sys.stdin)['cluster'].get('qos',{})
  print(q.get('performance_limited_by',{}).get('name','?'), round(q.get('transactions_per_second_limit',0)),
        round(q.get('released_transactions_per_second',0)), q.get('worst_queue_bytes_storage_server',0),
        q.get('worst_queue_bytes_log_server',0))
except Exception as e: print('unreadable', e)" || true
    sleep 10
  done
}
sample_qos >"$dir/qos.samples" &
qos_sampler=$!

"$bench" --workload ycsb-c --cluster-file "$cluster_file" --duration "$duration" --warmup 0 \
  --rate 20 --in-flight 20 --no-load --priority system_immediate \
  --json "$dir/probe.json" >"$dir/probe.out" &
probe=$!
"$bench" --workload "$workload" --cluster-file "$cluster_file" --duration "$duration" \
  --warmup 0 --rate "$offered" --in-flight 10000 --no-load --value-bytes "$value_bytes" \
  --json "$dir/overload.json" >"$dir/overload.out"
wait "$probe"
kill "$sampler" "$qos_sampler" 2>/dev/null || true

overloaded=$(json_field "$dir/overload.json" 'd["transactions_per_sec"]')
echo "== under overload"
python3 - "$sustained" "$overloaded" <<'EOF'
import sys
s, o = float(sys.argv[1]), float(sys.argv[2])
print(f"   {o:.0f} transactions/s, {o / s:.2f} of the sustained rate")
EOF
echo "   system-immediate probe latency (ms): p50 $(json_field "$dir/probe.json" 'round(d["latency_ms"]["p50"], 2)'), p99 $(json_field "$dir/probe.json" 'round(d["latency_ms"]["p99"], 2)')"
echo "   peak resident memory per process (MiB):"
for pid in $pids; do
  peak=$(awk -v p="$pid" '$1 == p && $2 > m {m = $2} END {print m / 1024}' "$dir/rss.samples")
  command_line=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  address=$(grep -o -- '--listen [^ ]*' <<<"$command_line" | awk '{print $2}' || true)
  class=$(grep -o -- '--class [^ ]*' <<<"$command_line" | awk '{print $2}' || true)
  printf '     %-16s %-10s %8.1f\n' "${address:-pid $pid}" "$class" "$peak"
done
echo "   status qos every 10 s (limited by, limit, released, worst storage queue, worst log queue):"
sed 's/^/     /' "$dir/qos.samples"
