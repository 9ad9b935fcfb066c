#!/usr/bin/env bash
# strata-redis through the npm Redis client ioredis, unmodified:
#   run_ioredis.sh STRATA_SERVER STRATA_REDIS
# Starts a strata-server and two strata-redis instances on free loopback ports in a
# temporary folder, installs ioredis from ioredis/package-lock.json (`npm ci`), and runs the
# Node.js suite in ioredis/ with the instances' ports in STRATA_REDIS_PORT_A and
# STRATA_REDIS_PORT_B. Every process is stopped and the folder removed however the run ends;
# `timeout` bounds each step against hangs (nothing is timed). ioredis is pinned to 5.9.3,
# the last release for Node.js 18 (Debian 12's own; ioredis 6 needs Node.js 20).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

[ $# -eq 2 ] || { echo "usage: $0 STRATA_SERVER STRATA_REDIS" >&2; exit 2; }
server="$(realpath "$1")"
redis="$(realpath "$2")"

work="$(mktemp -d)"
pids=()  # the servers
step=""  # the `timeout` running npm or node: stopping it stops its whole process group
cleanup() {
  local pid
  if [ -n "$step" ]; then
    kill "$step" 2>/dev/null || true
    wait "$step" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" under `timeout` in the background and waits for it, so that a signal to this
# script is handled at once (bash handles none while a foreground command runs).
bounded() {
  local seconds="$1" status=0
  shift
  timeout "$seconds" "$@" &
  step=$!
  wait "$step" || status=$?
  step=""
  return "$status"
}

# A free loopback port: bind port 0 and keep what the kernel chose.
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Waits until the process $1 wrote $3 into its log $2 (fails if it exits first).
wait_for() {
  local pid="$1" log="$2" text="$3"
  for _ in $(seq 1 600); do
    grep -q "$text" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "process exited: $log" >&2; exit 1; }
    sleep 0.1
  done
  cat "$log" >&2
  echo "never printed '$text': $log" >&2
  exit 1
}

cluster_file="$work/strata.cluster"
server_port="$(free_port)"
"$server" --listen "127.0.0.1:$server_port" --data "$work/data" --cluster-file "$cluster_file" \
  >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  [ -s "$cluster_file" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$cluster_file" ] || { echo "strata-server wrote no cluster file" >&2; exit 1; }

ports=()
for name in a b; do
  port="$(free_port)"
  "$redis" --cluster-file "$cluster_file" --listen "127.0.0.1:$port" >"$work/redis-$name.log" 2>&1 &
  pids+=($!)
  wait_for "$!" "$work/redis-$name.log" "listening on"
  ports+=("$port")
done
echo "strata-server on $server_port, strata-redis on ${ports[0]} and ${ports[1]}"

cd "$here/ioredis"
bounded 240 npm ci --no-audit --no-fund --loglevel=error
# One file at a time, and a bound on each test, where this Node.js has the options (20 and
# later; Debian 12's own is 18): the files use keys of their own, so they could also share
# the instances at once. `timeout` bounds the whole suite either way.
node_options=()
if node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  node_options=(--test-concurrency=1 --test-timeout=60000)
fi
status=0
export STRATA_REDIS_PORT_A="${ports[0]}" STRATA_REDIS_PORT_B="${ports[1]}"
bounded 300 node --test "${node_options[@]}" "$here/ioredis/"*.test.mjs || status=$?
if [ "$status" -ne 0 ]; then
  for log in "$work"/*.log; do
    echo "== $log (last lines)" >&2
    tail -n 20 "$log" >&2
  done
fi
exit "$status"
