#!/usr/bin/env python3
"""strata-redis through real Redis clients: redis-cli (arguments, a piped script, --scan),
redis-benchmark (a short run that must end without errors) and redis-py (strings, hashes,
sets, pipelines, MULTI/EXEC with WATCH, RESP3, and pub/sub), against a strata-server started
here.

    real_clients_test.py STRATA_SERVER STRATA_REDIS
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis

HANG_GUARD_S = 120  # only against hangs: nothing here is timed


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(process, text):
    deadline = time.monotonic() + HANG_GUARD_S
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return
    raise RuntimeError(f"never printed {text!r}: {''.join(seen)}")


failures = []


def check(what, actual, expected):
    if actual != expected:
        failures.append(f"{what}: expected {expected!r}, got {actual!r}")


def cli(port, *arguments, stdin=None):
    result = subprocess.run(["redis-cli", "-p", str(port), *arguments], input=stdin,
                            capture_output=True, text=True, timeout=HANG_GUARD_S)
    return result.stdout


def main():
    server_path, redis_path = sys.argv[1], sys.argv[2]
    folder = tempfile.mkdtemp(prefix="strata-redis-clients-")
    processes = []
    try:
        server_port, port = free_port(), free_port()
        server = subprocess.Popen([server_path, "--listen", f"127.0.0.1:{server_port}"],
                                  cwd=folder, stdout=subprocess.PIPE, text=True)
        processes.append(server)
        wait_for_line(server, "listening on")
        instance = subprocess.Popen([redis_path, "--cluster-file", "strata.cluster",
                                     "--listen", f"127.0.0.1:{port}"],
                                    cwd=folder, stdout=subprocess.PIPE, text=True)
        processes.append(instance)
        wait_for_line(instance, "listening on")

        # redis-cli: one command per call, then a script on standard input.
        check("cli ping", cli(port, "ping"), "PONG\n")
        check("cli set", cli(port, "set", "greeting", "hello world"), "OK\n")
        check("cli get", cli(port, "get", "greeting"), "hello world\n")
        check("cli incrby", cli(port, "incrby", "n", "5"), "5\n")
        check("cli missing", cli(port, "get", "missing"), "\n")
        check("cli wrong arity", cli(port, "get"),
              "ERR wrong number of arguments for 'get' command\n\n")
        script = "SET a 1\nINCR a\nEXPIRE a 100\nTTL a\nMULTI\nINCR a\nINCR a\nEXEC\nGET a\n"
        check("cli script", cli(port, stdin=script), "OK\n2\n1\n100\nOK\nQUEUED\nQUEUED\n3\n4\n4\n")
        for i in range(30):
            cli(port, "set", f"scan:{i}", str(i))
        scanned = sorted(cli(port, "--scan", "--pattern", "scan:*").split())
        check("cli --scan", scanned, sorted(f"scan:{i}" for i in range(30)))
        check("cli dbsize", cli(port, "dbsize"), "33\n")

        # redis-benchmark: a short run of the string commands, every reply as expected.
        bench = subprocess.run(["redis-benchmark", "-p", str(port), "-t", "set,get,incr",
                                "-n", "2000", "-c", "10", "-r", "1000", "-q"],
                               capture_output=True, text=True, timeout=HANG_GUARD_S * 5)
        check("benchmark exit", bench.returncode, 0)
        for command in ("SET", "GET", "INCR"):
            if f"{command}: " not in bench.stdout.replace("\r", "\n"):
                failures.append(f"redis-benchmark printed no {command} result: {bench.stdout!r}")
        if "ERR" in bench.stdout or "ERR" in bench.stderr:
            failures.append(f"redis-benchmark saw errors: {bench.stdout!r} {bench.stderr!r}")

        # redis-py, RESP2 and RESP3.
        client = redis.Redis(port=port, decode_responses=True)
        check("py set", client.set("py", "1", ex=50), True)
        check("py ttl", client.ttl("py"), 50)
        check("py incr", client.incr("py"), 2)
        check("py mget", client.mget(["py", "nope", "greeting"]), ["2", None, "hello world"])
        check("py setrange", client.setrange("py", 3, "x"), 4)
        check("py getrange", client.getrange("py", 0, -1), "2\x00\x00x")
        pipe = client.pipeline(transaction=False)
        for i in range(100):
            pipe.incr("pipelined")
        check("py pipeline", pipe.execute(), list(range(1, 101)))
        with client.pipeline() as transaction:
            transaction.watch("balance")
            balance = int(transaction.get("balance") or 0)
            transaction.multi()
            transaction.set("balance", balance + 10)
            transaction.get("balance")
            check("py watch+exec", transaction.execute(), [True, "10"])
        other = redis.Redis(port=port, decode_responses=True)
        with client.pipeline() as transaction:
            transaction.watch("balance")
            other.set("balance", "99")
            transaction.multi()
            transaction.set("balance", "0")
            try:
                transaction.execute()
                failures.append("EXEC ran although a watched key changed")
            except redis.WatchError:
                pass
        check("py after watch", client.get("balance"), "99")
        try:
            client.execute_command("INCR", "greeting")
            failures.append("INCR of a word did not fail")
        except redis.ResponseError as error:
            check("py error", str(error), "value is not an integer or out of range")
        resp3 = redis.Redis(port=port, protocol=3, decode_responses=True) \
            if "protocol" in redis.Redis.__init__.__code__.co_varnames else None
        if resp3 is not None:
            check("py resp3 get", resp3.get("greeting"), "hello world")
        check("py hset", client.hset("user:1", mapping={"name": "ada", "visits": "1"}), 2)
        check("py hincrby", client.hincrby("user:1", "visits", 2), 3)
        check("py hgetall", client.hgetall("user:1"), {"name": "ada", "visits": "3"})
        check("py sadd", client.sadd("tags", "a", "b", "c"), 3)
        check("py smembers", client.smembers("tags"), {"a", "b", "c"})
        check("py sinter", client.sinter("tags", "none"), set())
        check("py type", client.type("tags"), "set")
        if resp3 is not None:
            check("py resp3 hgetall", resp3.hgetall("user:1"), {"name": "ada", "visits": "3"})
            check("py resp3 smembers", resp3.smembers("tags"), {"a", "b", "c"})
        check("cli hgetall", cli(port, "hgetall", "user:1"), "name\nada\nvisits\n3\n")
        # redis-py's pub/sub: confirmations, a channel's message and a pattern's, the counts.
        def next_message(subscription):
            return subscription.get_message(timeout=HANG_GUARD_S)

        subscription = client.pubsub()
        subscription.subscribe("py-news")
        check("py subscribe", next_message(subscription),
              {"type": "subscribe", "pattern": None, "channel": "py-news", "data": 1})
        subscription.psubscribe("py-*")
        check("py psubscribe", next_message(subscription),
              {"type": "psubscribe", "pattern": None, "channel": "py-*", "data": 2})
        check("py publish", other.publish("py-news", "hello"), 2)
        check("py message", next_message(subscription),
              {"type": "message", "pattern": None, "channel": "py-news", "data": "hello"})
        check("py pmessage", next_message(subscription),
              {"type": "pmessage", "pattern": "py-*", "channel": "py-news", "data": "hello"})
        check("py numsub", other.pubsub_numsub("py-news", "none"), [("py-news", 1), ("none", 0)])
        check("py numpat", other.pubsub_numpat(), 1)
        check("py channels", other.pubsub_channels(), ["py-news"])
        subscription.unsubscribe("py-news")
        check("py unsubscribe", next_message(subscription),
              {"type": "unsubscribe", "pattern": None, "channel": "py-news", "data": 1})
        subscription.punsubscribe()
        check("py punsubscribe", next_message(subscription),
              {"type": "punsubscribe", "pattern": None, "channel": "py-*", "data": 0})
        check("py publish unheard", other.publish("py-news", "x"), 0)
        subscription.close()
        check("py flushdb", client.flushdb(), True)
        check("py dbsize", client.dbsize(), 0)
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    for failure in failures:
        print("FAILED:", failure)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
