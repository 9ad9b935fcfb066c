#!/usr/bin/env bash
# Redis's own test suite (Redis 7.0, from Debian's source package) against strata-redis, as
# an external server: starts a strata-server and a strata-redis of a build folder, runs each
# test file, and prints how many tests passed and failed in each. Exits non-zero if a test
# failed or none passed.
#
#   tests/redis/run-redis-suite.sh [--build DIR] [--source DIR] [--skip-file FILE]
#                                  [--rerun-failed] [UNIT...]
#
# --build: the build folder whose binaries run (default: build/, built first with
# scripts/build.sh release; another folder, configured already, is brought up to date with
# cmake --build).
# UNIT: test files as runtest names them (default: unit/type/string unit/type/incr
# unit/type/hash unit/type/set unit/type/list unit/type/zset unit/type/stream
# unit/type/stream-cgroups unit/expire unit/multi unit/keyspace unit/scan unit/auth
# unit/info-command unit/pubsub unit/sort). --source: a folder
# holding Redis's sources (default: fetched once with `apt-get source redis` into
# .cache/redis-source, which needs a deb-src line: this script adds Debian's own archive's
# if none is there).
# --skip-file: tests to skip, one name a line, '#' comments (default: the list beside this
# script, each with its reason; docs/redis-layer.md explains them). Logs go to
# redis-suite-logs/ in the current folder. Needs tcl (apt-get install tcl).
# --rerun-failed: runs each test that failed once more, alone; only a test that fails
# again counts as failed (both results are printed). Some of Redis's tests race a client's
# blocking command against another client's write without waiting for the block, which a
# single-threaded server always wins; a distributed one may not, on a loaded machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source_dir=""
build_dir="$root/build"
skip_file="$root/tests/redis/skipped-tests.txt"
units=()
rerun_failed=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --source) source_dir="$2"; shift 2 ;;
    --skip-file) skip_file="$2"; shift 2 ;;
    --rerun-failed) rerun_failed=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) units+=("$1"); shift ;;
  esac
done
if [[ ${#units[@]} -eq 0 ]]; then
  units=(unit/type/string unit/type/incr unit/type/hash unit/type/set unit/type/list
         unit/type/zset unit/type/stream unit/type/stream-cgroups unit/expire unit/multi
         unit/keyspace unit/scan unit/auth unit/info-command unit/pubsub unit/sort)
fi

as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)
command -v tclsh >/dev/null || "${as_root[@]}" apt-get install -y -q tcl >/dev/null
if [[ -z "$source_dir" ]]; then
  cache="$root/.cache/redis-source"
  source_dir="$(ls -d "$cache"/redis-7.* 2>/dev/null | head -1 || true)"
  if [[ -z "$source_dir" ]]; then
    if ! grep -rqs '^Types: deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        "${as_root[@]}" tee /etc/apt/sources.list.d/strata-deb-src.sources >/dev/null
      "${as_root[@]}" apt-get update -q >/dev/null
    fi
    command -v dpkg-source >/dev/null || "${as_root[@]}" apt-get install -y -q dpkg-dev >/dev/null
    mkdir -p "$cache"
    (cd "$cache" && apt-get source -q redis >/dev/null 2>&1)
    source_dir="$(ls -d "$cache"/redis-7.* | head -1)"
  fi
fi

if [[ "$build_dir" == "$root/build" ]]; then
  "$root/scripts/build.sh" release strata-server strata-redis >/dev/null
else
  cmake --build "$build_dir" --target strata-server strata-redis >/dev/null
fi
logs="$PWD/redis-suite-logs"
rm -rf "$logs" && mkdir -p "$logs"
work="$(mktemp -d)"
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
server_port=$(free_port)
port=$(free_port)
(cd "$work" && exec "$build_dir/src/tools/strata-server" --listen "127.0.0.1:$server_port" \
   > "$logs/strata-server.log" 2>&1) &
for _ in $(seq 100); do grep -q "listening on" "$logs/strata-server.log" 2>/dev/null && break; sleep 0.2; done
(cd "$work" && exec "$build_dir/src/tools/strata-redis" --cluster-file strata.cluster \
   --listen "127.0.0.1:$port" > "$logs/strata-redis.log" 2>&1) &
for _ in $(seq 100); do grep -q "listening on" "$logs/strata-redis.log" 2>/dev/null && break; sleep 0.2; done

skips=()
if [[ -f "$skip_file" ]]; then
  while IFS= read -r line; do
    # Comments are whole lines: test names may hold '#'.
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    skips+=(--skiptest "$line")
  done < "$skip_file"
fi

echo "== $(date -u +%FT%TZ) commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $(basename "$source_dir")"
printf '%-24s %6s %6s %8s\n' file passed failed seconds
total_ok=0; total_err=0; first_err=0
# Runs $unit (with $baseport) into the log $1; more runtest options after it.
run_unit() {
  local out="$1"; shift
  (cd "$source_dir" && timeout 1800 ./runtest --host 127.0.0.1 --port "$port" --singledb \
     --baseport "$baseport" \
     --ignore-encoding --ignore-digest --tags -needs:debug --tags -needs:repl --timeout 120 \
     --clients 1 "${skips[@]}" "$@" --single "$unit" > "$out" 2>&1) || true
}
for unit in "${units[@]}"; do
  log="$logs/$(echo "$unit" | tr / _).log"
  start=$(date +%s)
  # runtest's own ports start at a fixed one unless told: another run on the machine would
  # take the same.
  baseport=$((20032 + (RANDOM % 300) * 64))
  run_unit "$log"
  # runtest colours its verdicts: "[ok]" arrives as ESC[0;32;49m inside the brackets.
  plain="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
  ok=$(grep -c '^\[ok\]' <<<"$plain" || true)
  err=$(grep -c '^\[err\]\|^\[exception\]' <<<"$plain" || true)
  first_err=$((first_err + err))
  if [[ $rerun_failed -eq 1 && $err -gt 0 ]] && ! grep -q '^\[exception\]' <<<"$plain"; then
    # "[err]: NAME in tests/unit/FILE.tcl": each such test once more, alone (--only takes
    # a name as it is).
    mapfile -t failed < <(sed -n 's/^\[err\]: \(.*\) in tests\/.*$/\1/p' <<<"$plain")
    only=()
    for name in "${failed[@]}"; do only+=(--only "$name"); done
    rerun_log="${log%.log}.rerun.log"
    run_unit "$rerun_log" "${only[@]}"
    rerun="$(sed 's/\x1b\[[0-9;]*m//g' "$rerun_log")"
    rerun_ok=$(grep -c '^\[ok\]' <<<"$rerun" || true)
    echo "$unit: ${#failed[@]} failed, run again alone: $rerun_ok passed"
    # Only when every failure was named (and so run again) and each passed.
    if [[ ${#failed[@]} -eq $err && $rerun_ok -eq $err ]]; then
      ok=$((ok + rerun_ok)); err=0
    fi
  fi
  total_ok=$((total_ok + ok)); total_err=$((total_err + err))
  printf '%-24s %6d %6d %8d\n' "$unit" "$ok" "$err" "$(( $(date +%s) - start ))"
done
printf '%-24s %6d %6d\n' total "$total_ok" "$total_err"
# What failed, with runtest's explanation, so that a run whose logs are gone (CI's) still
# says which tests and why.
if [[ $first_err -gt 0 ]]; then
  for log in "$logs"/unit_*.log; do
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -A 6 '^\[err\]\|^\[exception\]' |
      sed "s|^|$(basename "$log" .log): |" | head -80 || true
  done
fi
# A failed test, or a run where nothing passed (the servers did not start, say), fails.
[[ $total_err -eq 0 && $total_ok -gt 0 ]]
