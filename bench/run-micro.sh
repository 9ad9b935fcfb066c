#!/usr/bin/env bash
# Builds strata-microbench (Release, clang) and runs it, then measures a private
# redis-server over loopback in the same shape as BM_TcpEchoRoundTrip/in_flight:64 (one
# connection, 64 requests in flight) and prints the two side by side.
#
# Environment: BUILD_DIR (default <repo>/build-release), MIN_TIME_S (seconds each
# benchmark runs at least; the default keeps the whole run under about two minutes).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo_root/build-release}"
min_time_s="${MIN_TIME_S:-1}"
# The machine is shared: never more than two compile jobs.
build_jobs=2
redis_requests=2000000
redis_in_flight=64

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep 'Model name' || true

echo "== build"
CC=clang CXX=clang++ cmake -S "$repo_root" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$build_jobs" --target strata-microbench
bench="$build_dir/bench/strata-microbench"

results_dir="$(mktemp -d)"
redis_pid=""
cleanup() {
  if [[ -n "$redis_pid" ]]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$results_dir"
}
trap cleanup EXIT

# Runs the benchmarks matching $2 and keeps their JSON in $results_dir/$1.json. A failure
# (a crash included) is reported and remembered, and the rest of the run goes on.
# Further arguments go to the benchmark binary.
failures=0
run_group() {
  local name="$1" filter="$2" status=0
  shift 2
  echo "== $name"
  "$bench" --benchmark_filter="$filter" --benchmark_min_time="$min_time_s" \
    --benchmark_out="$results_dir/$name.json" --benchmark_out_format=json "$@" || status=$?
  if ((status != 0)); then
    echo "!! $name: strata-microbench exited with status $status"
    failures=$((failures + 1))
  fi
}
# The TCP benchmarks fork an echo server and use real sockets: a group of their own, so
# that a failure there cannot hide the results of the others. They depend most on what
# else the machine runs, so they run three times and the median is compared below.
run_group in-process '-BM_TcpEcho'
run_group loopback-tcp 'BM_TcpEcho' --benchmark_repetitions=3

echo "== redis yardstick"
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  apt-get install -y redis-server redis-tools || {
    apt-get update
    apt-get install -y redis-server redis-tools
  }
fi

# A loopback port with nobody listening, starting from a random one.
free_port() {
  local port=$((20000 + RANDOM % 30000))
  while (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}
redis_port="$(free_port)"
redis-server --save '' --appendonly no --port "$redis_port" --bind 127.0.0.1 \
  --daemonize no >"$results_dir/redis-server.log" 2>&1 &
redis_pid=$!
redis_ready=false
for _ in $(seq 100); do
  if redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
    redis_ready=true
    break
  fi
  sleep 0.05
done
if [[ "$redis_ready" != true ]]; then
  echo "!! redis-server did not answer on port $redis_port:"
  cat "$results_dir/redis-server.log"
  exit 1
fi
redis_command=(redis-benchmark -p "$redis_port" -c 1 -P "$redis_in_flight"
  -n "$redis_requests" -t ping --csv)
echo "${redis_command[*]}"
# utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
redis_ticks_before="$(cpu_ticks "$redis_pid")"
"${redis_command[@]}" | tee "$results_dir/redis.csv"
redis_ticks="$(($(cpu_ticks "$redis_pid") - redis_ticks_before))"
redis_tests="$(($(wc -l <"$results_dir/redis.csv") - 1))"

echo "== loopback request/reply, one connection, $redis_in_flight in flight"
# A field of the median of BM_TcpEchoRoundTrip/in_flight:64; the benchmark's JSON has
# one field per line.
strata_median() {
  awk -F': ' -v field="\"$1\"" '
    /"name": "BM_TcpEchoRoundTrip\/in_flight:64\/real_time_median"/ { found = 1 }
    found && $1 ~ field { sub(/,$/, "", $2); print $2; exit }
  ' "$results_dir/loopback-tcp.json" 2>/dev/null || true
}
strata_rate="$(strata_median items_per_second)"
strata_server_us="$(strata_median server_cpu_us_per_round_trip)"
redis_server_us="$(awk -v ticks="$redis_ticks" -v hz="$(getconf CLK_TCK)" \
  -v requests="$((redis_requests * redis_tests))" 'BEGIN { print ticks / hz * 1e6 / requests }')"
printf '%-48s %14s %22s\n' "" "round trips/s" "server CPU us/request"
if [[ -n "$strata_rate" ]]; then
  printf '%-48s %14.0f %22.2f\n' "strata BM_TcpEchoRoundTrip/in_flight:64 median" \
    "$strata_rate" "$strata_server_us"
else
  printf '%-48s %14s\n' "strata BM_TcpEchoRoundTrip/in_flight:64" "failed"
fi
# redis-benchmark's CSV: "test","rps",... one line per test. Its server CPU is the
# average over all of them.
tr -d '"' <"$results_dir/redis.csv" | awk -F, -v us="$redis_server_us" \
  'NR > 1 { printf "%-48s %14.0f %22.2f\n", "redis " $1, $2, us }'

exit $((failures > 0))
