#!/usr/bin/env bash
# Measures a single-node Strata with strata-bench, a load generator in its own process:
# for each storage engine, a fresh strata-server on a fresh data folder, then the workloads
# below, each printed as one row of a table (transactions/s, operations/s and latencies in
# ms). Builds what it needs first (scripts/build.sh release).
#
# Environment: ENGINES (default "memory rocksdb"), DURATION_S (seconds each workload is
# measured, default 20), KEYS (key space loaded first, default 100000), DATA_ROOT (where
# the data folders go, default a fresh folder under the current one: the disk measured).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
engines="${ENGINES:-memory rocksdb}"
duration_s="${DURATION_S:-20}"
keys="${KEYS:-100000}"
data_root="${DATA_ROOT:-$PWD/strata-bench-data}"
port=4700

# workload:concurrency, in the order the table shows them.
runs=(writes:1 writes:100 writes10:1 writes10:100 reads:1 reads:100 mixed90:100 range:100
      ycsb-a:100 tpcc:100)

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep 'Model name' || true

echo "== build"
"$repo_root/scripts/install-deps.sh" >/dev/null   # what the build needs, when missing
"$repo_root/scripts/build.sh" release strata-server strata-bench >/dev/null
server="$repo_root/build/src/tools/strata-server"
bench="$repo_root/build/src/tools/bench/strata-bench"

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$data_root"' EXIT

# A field of strata-bench's JSON report, by its dotted path (bench/report_field.py).
field() { python3 "$repo_root/bench/report_field.py" "$1" "$2"; }

printf '\n%-8s %-9s %5s %12s %12s %12s %9s %9s %9s %9s\n' engine workload conc "txn/s" "ops/s" \
  "rows/s" "commit50" "commit99" "read50" "read99"
for engine in $engines; do
  stop_server
  rm -rf "$data_root"
  mkdir -p "$data_root"
  "$server" --listen "127.0.0.1:$port" --data "$data_root/data" \
    --cluster-file "$data_root/strata.cluster" --storage-engine "$engine" \
    >"$data_root/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s "$data_root/strata.cluster" ]] && break
    sleep 0.1
  done
  for run in "${runs[@]}"; do
    workload="${run%%:*}"
    concurrency="${run##*:}"
    report="$data_root/$engine-$workload-$concurrency.json"
    "$bench" --workload "$workload" --in-flight "$concurrency" --duration "$duration_s" \
      --keys "$keys" --cluster-file "$data_root/strata.cluster" --json "$report" >/dev/null
    printf '%-8s %-9s %5s %12s %12s %12s %9s %9s %9s %9s\n' "$engine" "$workload" \
      "$concurrency" "$(field "$report" transactions_per_sec)" \
      "$(field "$report" ops_per_sec)" "$(field "$report" rows_read_per_sec)" \
      "$(field "$report" latency_ms.commit.p50)" "$(field "$report" latency_ms.commit.p99)" \
      "$(field "$report" latency_ms.read.p50)" "$(field "$report" latency_ms.read.p99)"
  done
done
