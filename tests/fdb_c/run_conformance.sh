#!/usr/bin/env bash
# Runs the FoundationDB C API conformance checks against a real strata-server:
#   run_conformance.sh [--c-only] BUILD_DIR SERVER
# BUILD_DIR holds src/fdb_c/libfdb_c.so and src/fdb_c/fdb_c_conformance_program; SERVER
# is a strata-server binary. It starts the server on a free loopback port in a temporary
# folder, runs the C program, then (unless --c-only) the Node.js suite in node/ through
# the npm package foundationdb, which loads our libfdb_c.so, the randomized model test
# in python/ (ctypes over libfdb_c.so, a few fixed seeds) and the tenant test there (which
# configures the server's tenant_mode with the shell built beside SERVER, strata), then
# the randomized test again inside a tenant.
# The server is stopped and the folder removed however the run ends.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

c_only=0
if [ "${1:-}" = "--c-only" ]; then
  c_only=1
  shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--c-only] BUILD_DIR SERVER" >&2; exit 2; }
build="$(cd "$1" && pwd)"
server="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
library_dir="$build/src/fdb_c"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: bind port 0 and keep what the kernel chose.
port="$(node -e 'const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
cluster_file="$work/fdb.cluster"
"$server" --listen "127.0.0.1:$port" --data "$work/data" --cluster-file "$cluster_file" \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  [ -s "$cluster_file" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$cluster_file" ] || { echo "strata-server wrote no cluster file" >&2; exit 1; }

echo "== C program against libfdb_c.so"
# Network options from the environment, as FoundationDB reads them: here, client trace
# files, checked once the program is done.
FDB_NETWORK_OPTION_TRACE_ENABLE="$work/client-traces" \
  FDB_NETWORK_OPTION_TRACE_LOG_GROUP=conformance \
  "$library_dir/fdb_c_conformance_program" "$cluster_file"
traces=("$work"/client-traces/trace.client.*.json)
if [ ! -f "${traces[0]}" ] || ! grep -q '"Type":"ClientStarted".*"LogGroup":"conformance"' "${traces[@]}"; then
  echo "FAILED: no client trace file with the ClientStarted event in $work/client-traces" >&2
  ls -la "$work/client-traces" >&2 || true
  exit 1
fi
echo "client trace files: ${#traces[@]}"

[ "$c_only" -eq 1 ] && exit 0

echo "== Node.js suite through the npm package foundationdb"
cd "$here/node"
# --ignore-scripts: the package's install step would try to compile its addon when its
# prebuilt one cannot load yet; the prebuilt one is what we test.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# One file at a time, and a bound on each test, where this Node.js has the options (20 and
# later; Debian 12's own is 18); `timeout` bounds the whole suite either way.
node_options=()
if node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  node_options=(--test-concurrency=1 --test-timeout=120000)
fi
LD_LIBRARY_PATH="$library_dir" FDB_CLUSTER_FILE="$cluster_file" \
  timeout 900 node --test "${node_options[@]}" "$here/node/"*.test.mjs

echo "== Python randomized model test (ctypes over libfdb_c.so)"
# Random operations of FoundationDB's API, checked against a model of its documented
# semantics (python/model.py), as FoundationDB's binding tester does. Every seed runs,
# then the step fails if any did; each failure prints its seed and last operations.
random_ops_seeds=(1 2 3 4 5)
random_ops_count=20000
failed_seeds=()
for seed in "${random_ops_seeds[@]}"; do
  if ! timeout 300 python3 -B "$here/python/random_ops_test.py" --cluster-file "$cluster_file" \
      --library "$library_dir/libfdb_c.so" --seed "$seed" --ops "$random_ops_count"; then
    failed_seeds+=("$seed")
  fi
done
if [ "${#failed_seeds[@]}" -gt 0 ]; then
  echo "FAILED: python/random_ops_test.py, seeds: ${failed_seeds[*]}" >&2
  exit 1
fi

echo "== Python tenant test (ctypes over libfdb_c.so)"
timeout 300 python3 -B "$here/python/tenant_test.py" --cluster-file "$cluster_file" \
  --library "$library_dir/libfdb_c.so" --shell "$(dirname "$server")/strata"

echo "== Python randomized model test inside a tenant"
# The same operations and model with every transaction in a tenant (the test above allowed
# tenants): keys relative to the tenant's prefix, its edges "" and "\xff".
for seed in 1 2; do
  timeout 300 python3 -B "$here/python/random_ops_test.py" --cluster-file "$cluster_file" \
    --library "$library_dir/libfdb_c.so" --seed "$seed" --ops "$random_ops_count" \
    --tenant pyrand
done
