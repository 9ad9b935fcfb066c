#!/usr/bin/env bash
# A Strata cluster of several strata-server processes on this machine, each with its own
# port, data folder and class, sharing one cluster file.
#
#   scripts/cluster.sh up N [--base-port P] [--dir DIR] [--storage-engine E]
#                           [--redundancy single|double|triple] [--class CLASS]
#                           [--knob NAME=VALUE]...
#   scripts/cluster.sh down [--dir DIR]
#   scripts/cluster.sh start PORT [--dir DIR]     start one process of the cluster again
#   scripts/cluster.sh list [--dir DIR]
#
# `up` builds strata-server and the strata shell when they are missing, starts N processes
# in the background (logs in DIR/PORT/server.out) and waits until the database is
# available. The first 1, 3 or 5 processes are the coordinators (1 for N < 3, 3 for
# N < 7, 5 from 7 on). Classes: one stateless process per four (at least one), two log
# processes from N = 3 on, and the rest storage; a cluster of one or two processes has
# only processes of class unset; --class gives every process that class. Each process is a
# zone of its own. --knob sets a server knob in every process (kept for `start`). Defaults:
# --base-port 4500, --dir ./strata-cluster, --redundancy single (triple needs 5 processes
# or more).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
server="$root/build/src/tools/strata-server"
shell="$root/build/src/tools/strata"

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

command="${1:-}"
[[ -n "$command" ]] || usage
shift
count=""
if [[ "$command" == up || "$command" == start ]]; then
  count="${1:-}"
  [[ "$count" =~ ^[0-9]+$ ]] || usage
  shift
fi
base_port=4500
dir="$PWD/strata-cluster"
engine=memory
redundancy=single
only_class=""
knobs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-port) base_port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --storage-engine) engine="$2"; shift 2 ;;
    --redundancy) redundancy="$2"; shift 2 ;;
    --class) only_class="$2"; shift 2 ;;
    --knob) knobs+=("$2"); shift 2 ;;
    *) usage ;;
  esac
done
dir="$(mkdir -p "$dir" && cd "$dir" && pwd)"
cluster_file="$dir/strata.cluster"

class_of() {  # class of process $1 (0-based) of $2
  local index="$1" n="$2"
  if [[ -n "$only_class" ]]; then echo "$only_class"; return; fi
  if (( n <= 2 )); then echo unset; return; fi
  local stateless=$(( n / 4 > 1 ? n / 4 : 1 ))
  local logs=2
  if (( index < stateless )); then echo stateless
  elif (( index < stateless + logs )); then echo log
  else echo storage
  fi
}

# Whether process $1 runs: a process killed a moment ago may linger as a zombie until
# whoever adopted it reaps it, and a zombie answers kill -0.
running() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(ps -o stat= -p "$pid" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

start_process() {  # port class
  local port="$1" class="$2"
  local folder="$dir/$port"
  mkdir -p "$folder"
  echo "$class" > "$folder/class"
  local knob_flags=()
  if [[ -e "$dir/knobs" ]]; then
    while read -r knob; do knob_flags+=(--knob "$knob"); done <"$dir/knobs"
  fi
  nohup "$server" --listen "127.0.0.1:$port" --data "$folder/data" \
    --cluster-file "$cluster_file" --class "$class" --zone "zone-$port" \
    --storage-engine "$engine" --redundancy "$redundancy" "${knob_flags[@]}" \
    >"$folder/server.out" 2>&1 &
  echo $! > "$folder/pid"
}

case "$command" in
  up)
    (( count >= 1 )) || { echo "cluster.sh: up needs at least one process" >&2; exit 2; }
    if [[ ! -x "$server" || ! -x "$shell" ]]; then
      "$root/scripts/install-deps.sh"
      "$root/scripts/build.sh" release strata-server strata
    fi
    if (( ${#knobs[@]} > 0 )); then printf '%s\n' "${knobs[@]}" >"$dir/knobs"; fi
    coordinators=1
    if (( count >= 7 )); then coordinators=5; elif (( count >= 3 )); then coordinators=3; fi
    if [[ ! -e "$cluster_file" ]]; then
      addresses=""
      for (( i = 0; i < coordinators; i++ )); do
        addresses+="${addresses:+,}127.0.0.1:$(( base_port + i ))"
      done
      echo "local:$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')@$addresses" > "$cluster_file"
    fi
    for (( i = 0; i < count; i++ )); do
      port=$(( base_port + i ))
      if [[ -e "$dir/$port/pid" ]] && running "$(cat "$dir/$port/pid")"; then
        echo "cluster.sh: 127.0.0.1:$port runs already" >&2
        continue
      fi
      start_process "$port" "$(class_of "$i" "$count")"
    done
    echo "Started $count processes (cluster file $cluster_file):"
    for (( i = 0; i < count; i++ )); do
      port=$(( base_port + i ))
      echo "  127.0.0.1:$port  class $(cat "$dir/$port/class")  data $dir/$port/data"
    done
    echo "Waiting for the database..."
    for _ in $(seq 60); do
      if "$shell" -C "$cluster_file" --timeout 2 --exec "status minimal" 2>/dev/null |
          grep -q "is available"; then
        echo "The database is available. Connect with:"
        echo "  $shell -C $cluster_file"
        echo "Stop the cluster with: $0 down --dir $dir"
        exit 0
      fi
      sleep 1
    done
    echo "cluster.sh: the database did not become available within 60 s; see $dir/*/server.out" >&2
    exit 1
    ;;
  start)
    port="$count"
    [[ -e "$dir/$port/class" ]] || { echo "cluster.sh: no process $port in $dir" >&2; exit 1; }
    if [[ -e "$dir/$port/pid" ]] && running "$(cat "$dir/$port/pid")"; then
      echo "cluster.sh: 127.0.0.1:$port runs already" >&2
      exit 1
    fi
    start_process "$port" "$(cat "$dir/$port/class")"
    echo "Started 127.0.0.1:$port again"
    ;;
  list)
    for folder in "$dir"/*/; do
      [[ -e "$folder/pid" ]] || continue
      port="$(basename "$folder")"
      state=stopped
      running "$(cat "$folder/pid")" && state="running (pid $(cat "$folder/pid"))"
      echo "127.0.0.1:$port  class $(cat "$folder/class")  $state"
    done
    ;;
  down)
    for folder in "$dir"/*/; do
      [[ -e "$folder/pid" ]] || continue
      pid="$(cat "$folder/pid")"
      kill "$pid" 2>/dev/null || true
    done
    for folder in "$dir"/*/; do
      [[ -e "$folder/pid" ]] || continue
      pid="$(cat "$folder/pid")"
      for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$folder/pid"
    done
    echo "Stopped the processes of $dir (their data stays; delete the folder to start afresh)"
    ;;
  *) usage ;;
esac
