#!/usr/bin/env bash
# Re-replication: how long a cluster takes to restore two copies of every shard after a
# storage process is lost for good, and what the workload gets meanwhile.
#
#   scripts/rereplication-bench.sh [--gib G] [--dir DIR] [--workload NAME]
#
# Starts six processes with double redundancy (three storage processes, scripts/cluster.sh),
# loads G GiB (default 1) of 100-byte values, measures the workload (default mixed90) for
# 60 s undisturbed, then kills one storage process and deletes its folder, and runs the
# workload again until status shows every shard on two live servers. The data distributor
# waits dd_failed_storage_s (60 s) before it gives the server up; the time to re-replicate
# is counted from the loss and from the end of that wait. Prints both, the most shards
# status showed moving at once, and the workload's rate during the re-replication as a
# ratio to the undisturbed one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="$root/build/src/tools/bench/strata-bench"
shell="$root/build/src/tools/strata"

gib=1
dir="$PWD/rereplication-bench"
workload=mixed90
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gib) gib="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --workload) workload="$2"; shift 2 ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

"$root/scripts/build.sh" release strata-server strata strata-bench >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
cluster="$dir/cluster"
"$root/scripts/cluster.sh" up 6 --dir "$cluster" --base-port 4800 --redundancy double \
  >"$dir/cluster.out"
trap '"$root/scripts/cluster.sh" down --dir "$cluster" >/dev/null 2>&1 || true' EXIT
cluster_file="$cluster/strata.cluster"
status_json() { "$shell" -C "$cluster_file" --exec "status json" 2>/dev/null; }

# 100-byte values under 18-byte keys: about 118 bytes a pair, before the engine's overhead.
keys=$(python3 -c "print(int($gib * 2**30 / 118))")
echo "== loading $keys keys ($gib GiB of keys and values)"
loaded_at=$(date +%s.%N)
"$bench" --workload "$workload" --cluster-file "$cluster_file" --keys "$keys" --duration 5 \
  --in-flight 200 >"$dir/load.out"
echo "   loaded in $(python3 -c "import time; print(round(time.time() - $loaded_at))") s"
"$bench" --workload "$workload" --cluster-file "$cluster_file" --keys "$keys" --no-load \
  --duration 60 --in-flight 200 --json "$dir/undisturbed.json" >"$dir/undisturbed.out"
undisturbed=$(python3 -c "import json; print(json.load(open('$dir/undisturbed.json'))['transactions_per_sec'])")
echo "   undisturbed: $undisturbed transactions/s"

# The storage process to lose: the last one cluster.sh started (always class storage).
victim_port=$(ls "$cluster" | grep -E '^[0-9]+$' | sort -n | tail -1)
pid=$(cat "$cluster/$victim_port/pid")
kill -9 "$pid"
rm -rf "$cluster/$victim_port/data"
lost_at=$(date +%s.%N)
echo "== lost 127.0.0.1:$victim_port for good"

"$bench" --workload "$workload" --cluster-file "$cluster_file" --keys "$keys" --no-load \
  --duration 3600 --warmup 0 --in-flight 200 --json "$dir/during.json" >"$dir/during.out" &
load=$!
most_moving=0
while true; do
  sleep 2
  status=$(status_json || true)
  [[ -n "$status" ]] || continue
  state=$(python3 -c "
import json, sys
c = json.loads(sys.argv[1])['cluster']
teams = c.get('storage_teams', [])
gone = '127.0.0.1:$victim_port'
moving = c.get('data', {}).get('moving_partitions', 0)
full = bool(teams) and all(len(t['servers']) == 2 and 'moving_to' not in t and
                           all(s['live'] and s['address'] != gone for s in t['servers'])
                           for t in teams)
print(('full' if full else 'not'), moving)" "$status" 2>/dev/null || echo "not 0")
  read -r state moving <<<"$state"
  (( moving > most_moving )) && most_moving=$moving
  if [[ "$state" == full ]]; then break; fi
done
done_at=$(date +%s.%N)
kill "$load" 2>/dev/null || true
wait "$load" || true
python3 - "$lost_at" "$done_at" "$undisturbed" "$dir/during.out" "$most_moving" <<'EOF'
import re, sys
lost, done, undisturbed, during, most_moving = sys.argv[1:]
lost, done, undisturbed = float(lost), float(done), float(undisturbed)
wait = 60  # dd_failed_storage_s
print(f"== every shard on two live servers {done - lost:.0f} s after the loss, "
      f"{done - lost - wait:.0f} s after the distributor gave the server up; "
      f"at most {most_moving} shards moving at once")
rates = [float(m) for m in re.findall(r"([0-9]+) transactions/s", open(during).read())]
if rates:
    mean = sum(rates) / len(rates)
    print(f"   the workload meanwhile: {mean:.0f} transactions/s, {mean / undisturbed:.2f} of undisturbed")
EOF
