#!/usr/bin/env bash
# A triple-redundancy cluster of five strata-server processes, each on a host of its own
# (a Linux network namespace with its own address, joined to the others by a bridge), under
# the bank workload (bank_client.py over libfdb_c.so) while the network fails the way real
# networks do: a host cut off (its link taken down), two hosts cut off at once, and the
# hosts split into two groups that cannot reach each other (blackhole routes in each
# namespace: packets vanish, nothing is refused). At most two hosts are ever cut off from
# the majority, what triple redundancy is for. Then the network heals, and the test checks
# that every acknowledged transfer is there, the money adds up, and every copy of every
# shard agrees (the shell's consistencycheck).
#
#   sudo tests/netns/run-partitions.sh [--seconds S] [--keep]
#
# Needs root (ip netns, veth pairs, a bridge). Builds what it needs (scripts/build.sh
# release). --seconds: how long the faults go on (default 60). --keep keeps the folder
# (DIR: /tmp/strata-netns) with the servers' trace logs. Removes its namespaces and
# bridge when it ends, however it ends. Exit status 0 when every check passed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds=60
keep=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
[[ "$(id -u)" == 0 ]] || { echo "run-partitions.sh: needs root (ip netns)" >&2; exit 2; }

hosts=5
subnet=10.77.0
bridge=strata-br0
dir=/tmp/strata-netns
"$root/scripts/install-deps.sh" >/dev/null
"$root/scripts/build.sh" release strata-server strata fdb_c >/dev/null
server="$root/build/src/tools/strata-server"
shell="$root/build/src/tools/strata"
libfdb_c="$root/build/src/fdb_c/libfdb_c.so"
client="$root/tests/netns/bank_client.py"

pids=()
client_pid=""
cleanup() {
  [[ -n "$client_pid" ]] && kill "$client_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for (( i = 1; i <= hosts; i++ )); do ip netns del "strata-ns$i" 2>/dev/null || true; done
  ip link del "$bridge" 2>/dev/null || true
  [[ "$keep" == true ]] || rm -rf "$dir"
}
trap cleanup EXIT
cleanup
mkdir -p "$dir"

echo "== network: $hosts namespaces on bridge $bridge ($subnet.0/24)"
ip link add "$bridge" type bridge
ip addr add "$subnet.254/24" dev "$bridge"
ip link set "$bridge" up
for (( i = 1; i <= hosts; i++ )); do
  ns="strata-ns$i"
  ip netns add "$ns"
  ip link add "veth-s$i" type veth peer name eth0 netns "$ns"
  ip link set "veth-s$i" master "$bridge" up
  ip -n "$ns" addr add "$subnet.$i/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

echo "== cluster: triple redundancy, five coordinators"
coordinators=""
for (( i = 1; i <= hosts; i++ )); do coordinators+="${coordinators:+,}$subnet.$i:4500"; done
echo "netns:$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')@$coordinators" >"$dir/strata.cluster"
for (( i = 1; i <= hosts; i++ )); do
  mkdir -p "$dir/$i"
  cp "$dir/strata.cluster" "$dir/$i/strata.cluster"
  ip netns exec "strata-ns$i" "$server" --listen "$subnet.$i:4500" --data "$dir/$i/data" \
    --cluster-file "$dir/$i/strata.cluster" --zone "host-$i" --machine "host-$i" \
    --redundancy triple >"$dir/$i/server.out" 2>&1 &
  pids+=($!)
done
cp "$dir/strata.cluster" "$dir/client.cluster"
status() { "$shell" -C "$dir/client.cluster" --timeout 10 --exec "status json" 2>/dev/null || true; }
wait_available() {  # until the database is available and every process answers
  local start=$SECONDS
  while (( SECONDS - start < 180 )); do
    if status | python3 -c '
import json, sys
cluster = json.load(sys.stdin)["cluster"]
live = [p for p in cluster["processes"].values() if p.get("reachable") and "worker_id" in p]
sys.exit(0 if cluster.get("database_available") and len(live) == '"$hosts"' and
         cluster["recovery_state"]["name"] == "fully_recovered" else 1)' 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "run-partitions.sh: the cluster did not settle within 180 s" >&2
  status >&2
  return 1
}
wait_available
status | python3 -c '
import json, sys
cluster = json.load(sys.stdin)["cluster"]
print("redundancy:", cluster["configuration"]["redundancy_mode"],
      "| zone failures survivable:", cluster["fault_tolerance"])'

echo "== load: bank transfers for the whole run"
python3 "$client" open "$libfdb_c" "$dir/client.cluster"
: >"$dir/acknowledged"
python3 "$client" run "$libfdb_c" "$dir/client.cluster" "$dir/acknowledged" \
  "$(( seconds + 20 ))" >"$dir/client.out" 2>&1 &
client_pid=$!
sleep 5

cut_off() { ip link set "veth-s$1" down; }
reconnect() { ip link set "veth-s$1" up; }
# Hosts in $1 (space separated) and the rest cannot reach each other: each side drops
# packets for the other.
split() {
  local group="$1" i j
  for (( i = 1; i <= hosts; i++ )); do
    for (( j = 1; j <= hosts; j++ )); do
      local in_i=false in_j=false
      [[ " $group " == *" $i "* ]] && in_i=true
      [[ " $group " == *" $j "* ]] && in_j=true
      if [[ "$in_i" != "$in_j" ]]; then ip -n "strata-ns$i" route add blackhole "$subnet.$j/32"; fi
    done
  done
}
heal() {
  local i
  for (( i = 1; i <= hosts; i++ )); do
    reconnect "$i"
    ip -n "strata-ns$i" route show type blackhole | while read -r _ target _; do
      ip -n "strata-ns$i" route del blackhole "$target"
    done
  done
}

echo "== faults for $seconds s"
end=$(( SECONDS + seconds ))
faults=0
while (( SECONDS < end )); do
  a=$(( RANDOM % hosts + 1 ))
  b=$(( (a + RANDOM % (hosts - 1)) % hosts + 1 ))
  case $(( RANDOM % 3 )) in
    0) echo "$(date +%T) host $a cut off"; cut_off "$a" ;;
    1) echo "$(date +%T) hosts $a and $b cut off"; cut_off "$a"; cut_off "$b" ;;
    2) echo "$(date +%T) split: {$a $b} | the rest"; split "$a $b" ;;
  esac
  faults=$(( faults + 1 ))
  sleep $(( RANDOM % 6 + 3 ))
  heal
  echo "$(date +%T) healed"
  sleep $(( RANDOM % 4 + 2 ))
done
heal

echo "== after the faults"
wait_available
wait "$client_pid"
client_pid=""
cat "$dir/client.out"
failed=0
python3 "$client" check "$libfdb_c" "$dir/client.cluster" "$dir/acknowledged" || failed=1
"$shell" -C "$dir/client.cluster" --timeout 60 --exec "consistencycheck" || failed=1
status | python3 -c '
import json, sys
cluster = json.load(sys.stdin)["cluster"]
print("recoveries:", cluster["recovery_state"].get("recoveries"), "| generation:",
      cluster["generation"], "| fault tolerance:", cluster["fault_tolerance"])'
echo "== $faults faults; $( [[ $failed == 0 ]] && echo PASSED || echo FAILED )"
exit "$failed"
