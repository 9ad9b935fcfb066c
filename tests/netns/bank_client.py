#!/usr/bin/env python3
"""The bank of the network-namespace test, on libfdb_c.so (ctypes): accounts bank/a/N,
and each transfer recorded under bank/t/ID in the transaction that moves the money.

  bank_client.py open LIBFDB_C CLUSTER_FILE            every account at 1000
  bank_client.py run LIBFDB_C CLUSTER_FILE LOG SECONDS random transfers; appends the id of
      each one acknowledged to LOG (a retry that finds its record counts it too)
  bank_client.py check LIBFDB_C CLUSTER_FILE LOG       every id in LOG is recorded, no
      balance is negative, and the money adds up; exit 1 otherwise
"""

import ctypes
import random
import sys
import threading
import time

API_VERSION = 730
TIMEOUT_OPTION = 500
ACCOUNTS = 20
INITIAL = 1000


class Client:
    def __init__(self, library_path, cluster_file):
        fdb = ctypes.CDLL(library_path)
        fdb.fdb_get_error.restype = ctypes.c_char_p
        for name in ("fdb_transaction_commit", "fdb_transaction_get", "fdb_transaction_on_error"):
            getattr(fdb, name).restype = ctypes.c_void_p
        fdb.fdb_transaction_commit.argtypes = [ctypes.c_void_p]
        fdb.fdb_transaction_on_error.argtypes = [ctypes.c_void_p, ctypes.c_int]
        fdb.fdb_transaction_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                            ctypes.c_int]
        fdb.fdb_transaction_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                            ctypes.c_char_p, ctypes.c_int]
        for name in ("fdb_future_block_until_ready", "fdb_future_get_error", "fdb_future_destroy",
                     "fdb_transaction_destroy", "fdb_transaction_reset"):
            getattr(fdb, name).argtypes = [ctypes.c_void_p]
        fdb.fdb_future_get_value.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                             ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)),
                                             ctypes.POINTER(ctypes.c_int)]
        self.fdb = fdb
        self.check(fdb.fdb_select_api_version_impl(API_VERSION, API_VERSION), "api version")
        self.check(fdb.fdb_setup_network(), "setup_network")
        threading.Thread(target=fdb.fdb_run_network, daemon=True).start()
        self.database = ctypes.c_void_p()
        self.check(fdb.fdb_create_database(cluster_file.encode(), ctypes.byref(self.database)),
                   "create_database")

    def check(self, error, what):
        if error:
            sys.exit(f"bank_client: {what}: {self.fdb.fdb_get_error(error).decode()}")

    def transaction(self, timeout_ms):
        created = ctypes.c_void_p()
        self.check(self.fdb.fdb_database_create_transaction(self.database, ctypes.byref(created)),
                   "create_transaction")
        self.fdb.fdb_transaction_set_option(created, TIMEOUT_OPTION,
                                            timeout_ms.to_bytes(8, "little"), 8)
        return created

    def wait(self, future):
        return self.fdb.fdb_future_block_until_ready(future) or \
            self.fdb.fdb_future_get_error(future)

    def get(self, tr, key):
        future = self.fdb.fdb_transaction_get(tr, key, len(key), 0)
        error = self.wait(future)
        value = None
        if error == 0:
            present, data, length = ctypes.c_int(), ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_int()
            self.fdb.fdb_future_get_value(future, ctypes.byref(present), ctypes.byref(data),
                                          ctypes.byref(length))
            value = bytes(data[:length.value]) if present.value else None
        self.fdb.fdb_future_destroy(future)
        if error:
            raise FdbError(error)
        return value

    def set(self, tr, key, value):
        self.fdb.fdb_transaction_set(tr, key, len(key), value, len(value))

    def commit(self, tr):
        future = self.fdb.fdb_transaction_commit(tr)
        error = self.wait(future)
        self.fdb.fdb_future_destroy(future)
        if error:
            raise FdbError(error)

    def on_error(self, tr, error):
        """True to retry; False when the error is not retryable."""
        future = self.fdb.fdb_transaction_on_error(tr, error)
        failed = self.wait(future)
        self.fdb.fdb_future_destroy(future)
        return failed == 0

    def run(self, body, timeout_ms=3000, attempts=50):
        tr = self.transaction(timeout_ms)
        try:
            for _ in range(attempts):
                try:
                    result = body(tr)
                    self.commit(tr)
                    return result
                except FdbError as error:
                    if not self.on_error(tr, error.code):
                        # A timeout (1031) is not retried by on_error: start afresh.
                        self.fdb.fdb_transaction_reset(tr)
                        self.fdb.fdb_transaction_set_option(
                            tr, TIMEOUT_OPTION, timeout_ms.to_bytes(8, "little"), 8)
                        time.sleep(0.05)
            raise RuntimeError(f"gave up after {attempts} attempts")
        finally:
            self.fdb.fdb_transaction_destroy(tr)


class FdbError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def account(n):
    return b"bank/a/%02d" % n


def open_accounts(client):
    def body(tr):
        for n in range(ACCOUNTS):
            client.set(tr, account(n), str(INITIAL).encode())
    client.run(body, timeout_ms=10000, attempts=1000)


def run(client, log_path, seconds):
    end = time.time() + seconds
    rng = random.Random()
    done = 0
    with open(log_path, "a", buffering=1) as log:
        while time.time() < end:
            transfer = b"bank/t/%016x" % rng.getrandbits(64)
            source, target = rng.sample(range(ACCOUNTS), 2)
            amount = rng.randint(1, 100)

            def body(tr):
                if client.get(tr, transfer) is not None:
                    return True  # an attempt whose result was unknown committed it
                balance = int(client.get(tr, account(source)))
                other = int(client.get(tr, account(target)))
                if balance < amount:
                    return False
                client.set(tr, account(source), str(balance - amount).encode())
                client.set(tr, account(target), str(other + amount).encode())
                client.set(tr, transfer, b"%d,%d,%d" % (source, target, amount))
                return True

            try:
                if client.run(body, attempts=20):
                    log.write(transfer.decode() + "\n")
                    done += 1
            except RuntimeError:
                pass  # the cluster was unavailable for all the attempts: not acknowledged
    print(f"bank_client: {done} transfers acknowledged")


def check(client, log_path):
    with open(log_path) as log:
        acknowledged = [line.strip().encode() for line in log if line.strip()]

    balances = client.run(lambda tr: [int(client.get(tr, account(n))) for n in range(ACCOUNTS)],
                          timeout_ms=60000, attempts=100)
    missing = []
    # A few hundred reads per transaction, well inside the 5-second MVCC window.
    for start in range(0, len(acknowledged), 300):
        chunk = acknowledged[start:start + 300]
        missing += client.run(lambda tr: [t for t in chunk if client.get(tr, t) is None],
                              timeout_ms=60000, attempts=100)
    problems = []
    if sum(balances) != ACCOUNTS * INITIAL:
        problems.append(f"the balances add up to {sum(balances)}, not {ACCOUNTS * INITIAL}")
    if min(balances) < 0:
        problems.append(f"a balance is negative: {balances}")
    if missing:
        problems.append(f"{len(missing)} acknowledged transfers are missing, e.g. {missing[0]}")
    print(f"bank_client: {len(acknowledged)} acknowledged transfers checked; "
          f"total {sum(balances)}; " + ("; ".join(problems) if problems else "all present"))
    return 1 if problems else 0


def main(arguments):
    if len(arguments) < 3:
        sys.exit(__doc__)
    command, library, cluster_file = arguments[:3]
    client = Client(library, cluster_file)
    if command == "open":
        open_accounts(client)
        return 0
    if command == "run":
        run(client, arguments[3], float(arguments[4]))
        return 0
    if command == "check":
        return check(client, arguments[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
