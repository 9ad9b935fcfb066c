#!/usr/bin/env python3
"""Helpers of bench/recovery: a commit probe on libfdb_c.so, and readers of the status
document (docs/status-json.md) and of the probe's log.

  recovery_helpers.py probe LIBFDB_C CLUSTER_FILE LOG TIMEOUT_MS
      commits one small transaction after another until killed; appends a line
      `WALL_TIME VERSION` to LOG for each commit acknowledged (WALL_TIME: seconds since
      the Unix epoch, taken when the commit returned). Each attempt is given TIMEOUT_MS
      (FoundationDB's timeout option), then a new one starts at once.
  recovery_helpers.py read-probe LIBFDB_C CLUSTER_FILE LOG TIMEOUT_MS
      writes 256 keys, one under each first byte (so that every shard holds some), then
      reads a random one after another until killed, each in a new transaction with
      TIMEOUT_MS; appends `WALL_TIME LATENCY_S OK` to LOG for each read (OK: 1 when it
      returned the value written)
  recovery_helpers.py read-latency LOG SINCE UNTIL
      p50, p99 and max read latency (ms) and how many reads failed, of the reads that
      started between SINCE and UNTIL
  recovery_helpers.py holder ROLE [N] < STATUS      address and class of ROLE's process (of
      several, the Nth in address order, counting round)
  recovery_helpers.py generation < STATUS           the generation (epoch)
  recovery_helpers.py recovered EPOCH < STATUS      exit 0 once a generation after EPOCH
      accepts commits; prints the version its logs begin after
  recovery_helpers.py settled PROCESSES < STATUS    exit 0 once fully recovered, available,
      with PROCESSES processes registered and answering and every coordinator reachable;
      prints the controller's last recovery duration (s)
  recovery_helpers.py first-commit LOG SINCE VERSION
      seconds from SINCE to the first commit in LOG acknowledged after SINCE at a version
      above VERSION; exit 1 when there is none yet
  recovery_helpers.py phases DIR SINCE EPOCH
      where the time from SINCE (a kill) went, from the trace logs in DIR/*/data/logs:
      seconds to the failure being noticed (GenerationEnding, or a new controller's
      ClusterControllerStarted), to the logs of generation EPOCH being locked, and to the
      next generation being published
  recovery_helpers.py summary < SECONDS             count, p50, p99, max and mean
  recovery_helpers.py bench-rate REPORT             ops/s of a strata-bench JSON report
  recovery_helpers.py progress-rate OUTPUT          mean transactions/s over the progress
      lines strata-bench printed
"""

import ctypes
import glob
import json
import os
import math
import sys
import threading
import time

API_VERSION = 730
TRANSACTION_TIMEOUT_OPTION = 500


def open_database(library_path, cluster_file, what):
    """libfdb_c.so loaded, its network running on a thread of its own, and a database
    handle; returns (library, database, check), check(error, doing) exiting on an error."""
    fdb = ctypes.CDLL(library_path)
    fdb.fdb_get_error.restype = ctypes.c_char_p
    for name in ("fdb_transaction_commit", "fdb_transaction_get"):
        getattr(fdb, name).restype = ctypes.c_void_p
    fdb.fdb_transaction_commit.argtypes = [ctypes.c_void_p]
    fdb.fdb_transaction_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                        ctypes.c_int]
    for name in ("fdb_future_block_until_ready", "fdb_future_get_error", "fdb_future_destroy",
                 "fdb_transaction_destroy"):
        getattr(fdb, name).argtypes = [ctypes.c_void_p]
    fdb.fdb_future_get_value.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                         ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)),
                                         ctypes.POINTER(ctypes.c_int)]

    def check(error, doing):
        if error:
            sys.exit(f"{what}: {doing}: {fdb.fdb_get_error(error).decode()}")

    check(fdb.fdb_select_api_version_impl(API_VERSION, API_VERSION), "select_api_version")
    check(fdb.fdb_setup_network(), "setup_network")
    threading.Thread(target=fdb.fdb_run_network, daemon=True).start()
    database = ctypes.c_void_p()
    check(fdb.fdb_create_database(cluster_file.encode(), ctypes.byref(database)),
          "create_database")
    return fdb, database, check


def probe(library_path, cluster_file, log_path, timeout_ms):
    fdb, database, check = open_database(library_path, cluster_file, "recovery probe")
    timeout = ctypes.c_int64(timeout_ms).value.to_bytes(8, "little")
    key = b"recovery-probe"
    with open(log_path, "a", buffering=1) as log:
        count = 0
        while True:
            transaction = ctypes.c_void_p()
            check(fdb.fdb_database_create_transaction(database, ctypes.byref(transaction)),
                  "create_transaction")
            fdb.fdb_transaction_set_option(transaction, TRANSACTION_TIMEOUT_OPTION, timeout, 8)
            count += 1
            value = str(count).encode()
            fdb.fdb_transaction_set(transaction, key, len(key), value, len(value))
            future = fdb.fdb_transaction_commit(transaction)
            error = fdb.fdb_future_block_until_ready(future) or fdb.fdb_future_get_error(future)
            acknowledged_at = time.time()
            fdb.fdb_future_destroy(future)
            if error == 0:
                version = ctypes.c_int64()
                fdb.fdb_transaction_get_committed_version(transaction, ctypes.byref(version))
                log.write(f"{acknowledged_at:.6f} {version.value}\n")
            fdb.fdb_transaction_destroy(transaction)
            if error:
                time.sleep(0.002)  # no busy loop on errors that come at once


def read_probe(library_path, cluster_file, log_path, timeout_ms):
    import random
    fdb, database, check = open_database(library_path, cluster_file, "read probe")
    timeout = ctypes.c_int64(timeout_ms).value.to_bytes(8, "little")
    keys = [bytes([first]) + b"/recovery-read" for first in range(255)]

    def transaction():
        created = ctypes.c_void_p()
        check(fdb.fdb_database_create_transaction(database, ctypes.byref(created)),
              "create_transaction")
        fdb.fdb_transaction_set_option(created, TRANSACTION_TIMEOUT_OPTION, timeout, 8)
        return created

    while True:  # the keys, written once the cluster takes them
        writing = transaction()
        for key in keys:
            fdb.fdb_transaction_set(writing, key, len(key), key, len(key))
        future = fdb.fdb_transaction_commit(writing)
        error = fdb.fdb_future_block_until_ready(future) or fdb.fdb_future_get_error(future)
        fdb.fdb_future_destroy(future)
        fdb.fdb_transaction_destroy(writing)
        if error == 0:
            break
        time.sleep(0.01)
    with open(log_path, "a", buffering=1) as log:
        while True:
            key = random.choice(keys)
            reading = transaction()
            started = time.time()
            future = fdb.fdb_transaction_get(reading, key, len(key), 0)
            error = fdb.fdb_future_block_until_ready(future) or fdb.fdb_future_get_error(future)
            ok = 0
            if error == 0:
                present = ctypes.c_int()
                value = ctypes.POINTER(ctypes.c_uint8)()
                length = ctypes.c_int()
                fdb.fdb_future_get_value(future, ctypes.byref(present), ctypes.byref(value),
                                         ctypes.byref(length))
                ok = int(present.value == 1 and bytes(value[:length.value]) == key)
            latency = time.time() - started
            fdb.fdb_future_destroy(future)
            fdb.fdb_transaction_destroy(reading)
            log.write(f"{started:.6f} {latency:.6f} {ok}\n")
            if error:
                time.sleep(0.002)


def read_latency(log_path, since, until):
    latencies, failed = [], 0
    with open(log_path) as log:
        for line in log:
            parts = line.split()
            if len(parts) != 3:
                continue  # a line being written
            at, latency, ok = float(parts[0]), float(parts[1]), parts[2] == "1"
            if since <= at <= until:
                latencies.append(latency)
                failed += not ok
    if not latencies:
        print("- - - 0 0")
        return 1
    latencies.sort()
    print(f"{percentile(latencies, 0.5) * 1000:.1f} {percentile(latencies, 0.99) * 1000:.1f} "
          f"{latencies[-1] * 1000:.1f} {len(latencies)} {failed}")
    return 0


def read_status():
    return json.load(sys.stdin)


def roles_of(process):
    return [role.get("role") for role in process.get("roles", [])]


def holder(role, index=0):
    status = read_status()
    holders = [(address, process) for address, process
               in sorted(status["cluster"]["processes"].items()) if role in roles_of(process)]
    if not holders:
        return 1
    address, process = holders[index % len(holders)]
    print(address, process.get("class_type", "?"), ",".join(roles_of(process)))
    return 0


def generation():
    print(read_status()["cluster"].get("generation", 0))
    return 0


def recovered(epoch):
    cluster = read_status()["cluster"]
    state = cluster.get("recovery_state", {}).get("name")
    if cluster.get("generation", 0) <= epoch or state not in ("accepting_commits",
                                                               "fully_recovered"):
        return 1
    begins = [g["begin_version"] for g in cluster.get("logs", []) if g.get("epoch", 0) > epoch]
    if not begins:
        return 1
    print(min(begins))
    return 0


def settled(processes):
    status = read_status()
    cluster = status["cluster"]
    if cluster.get("recovery_state", {}).get("name") != "fully_recovered":
        return 1
    if not cluster.get("database_available"):
        return 1
    coordinators = status["client"]["coordinators"]["coordinators"]
    if not all(coordinator.get("reachable") for coordinator in coordinators):
        return 1
    answering = [p for p in cluster.get("processes", {}).values()
                 if "worker_id" in p and p.get("reachable")]
    if len(answering) < processes:
        return 1
    print(cluster["recovery_state"].get("last_recovery_duration_seconds", 0))
    return 0


def first_commit(log_path, since, version):
    first = None
    with open(log_path) as log:
        for line in log:
            parts = line.split()
            if len(parts) != 2:
                continue  # a line being written
            at, committed = float(parts[0]), int(parts[1])
            if at > since and committed > version and (first is None or at < first):
                first = at
    if first is None:
        return 1
    print(f"{first - since:.3f}")
    return 0


def phases(folder, since, epoch):
    noticed = locked = published = None
    for path in glob.glob(os.path.join(folder, "*", "data", "logs", "*.json")):
        with open(path) as log:
            for line in log:
                if '"Type":"Generation' not in line and '"Type":"Recovery' not in line and \
                        '"Type":"ClusterControllerStarted"' not in line:
                    continue
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line being written
                at, kind = event.get("Time", 0), event.get("Type")
                if at < since:
                    continue
                if kind in ("GenerationEnding", "ClusterControllerStarted"):
                    noticed = at if noticed is None else min(noticed, at)
                elif kind == "RecoveryLogsLocked" and event.get("Epoch") == epoch:
                    locked = at if locked is None else min(locked, at)
                elif kind == "RecoveryPublished" and event.get("Epoch", 0) > epoch:
                    published = at if published is None else min(published, at)
    if None in (noticed, locked, published):
        print("- - -")
        return 1
    print(f"{noticed - since:.3f} {locked - since:.3f} {published - since:.3f}")
    return 0


def percentile(ordered, fraction):
    """Nearest rank: the smallest value with at least `fraction` of the values at or
    below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary():
    values = sorted(float(word) for word in sys.stdin.read().split())
    if not values:
        print("no samples")
        return 1
    print(f"n={len(values)} p50={percentile(values, 0.5):.3f} s "
          f"p99={percentile(values, 0.99):.3f} s max={values[-1]:.3f} s "
          f"mean={sum(values) / len(values):.3f} s min={values[0]:.3f} s"
          + (" (p99 is the largest below 100 samples)" if len(values) < 100 else ""))
    return 0


def bench_rate(report_path):
    with open(report_path) as report:
        print(f"{json.load(report).get('ops_per_sec', 0):.0f}")
    return 0


def progress_rate(output_path):
    rates = []
    with open(output_path) as output:
        for line in output:
            words = line.split()
            if len(words) >= 4 and words[1] == "s" and words[3] == "transactions/s":
                rates.append(float(words[2]))
    print(f"{sum(rates) / len(rates):.0f}" if rates else "-")
    return 0


def main(arguments):
    if not arguments:
        sys.exit(__doc__)
    command, rest = arguments[0], arguments[1:]
    if command == "probe":
        return probe(rest[0], rest[1], rest[2], int(rest[3]))
    if command == "read-probe":
        return read_probe(rest[0], rest[1], rest[2], int(rest[3]))
    if command == "read-latency":
        return read_latency(rest[0], float(rest[1]), float(rest[2]))
    if command == "holder":
        return holder(rest[0], int(rest[1]) if len(rest) > 1 else 0)
    if command == "generation":
        return generation()
    if command == "recovered":
        return recovered(int(rest[0]))
    if command == "settled":
        return settled(int(rest[0]))
    if command == "first-commit":
        return first_commit(rest[0], float(rest[1]), int(rest[2]))
    if command == "phases":
        return phases(rest[0], float(rest[1]), int(rest[2]))
    if command == "summary":
        return summary()
    if command == "bench-rate":
        return bench_rate(rest[0])
    if command == "progress-rate":
        return progress_rate(rest[0])
    sys.exit(f"recovery_helpers.py: unknown command {command}\n{__doc__}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (json.JSONDecodeError, KeyError):
        sys.exit(1)  # not a status document (yet): the caller asks again
