#!/usr/bin/env python3
"""A randomized, seeded, model-based test of FoundationDB's C API, in the spirit of
FoundationDB's binding tester (its `api` instruction set), over ctypes.

    random_ops_test.py --cluster-file F --library PATH --seed N --ops N [--transactions N]
                       [--tenant NAME]

Runs transactions of random operations over a small key space under a per-run prefix
and checks every result against model.py, an in-memory model of FoundationDB's documented
semantics. After every commit it compares the database under the prefix with the model.
The same seed generates the same operations (given the same results). On a mismatch it
prints the seed, the operation number and the last operations with what was expected and
what came back, and exits with status 1.

With --tenant, every transaction is one of tenant NAME (created if missing; the cluster's
tenant_mode must allow tenants): the same operations and the same model, with the keys
relative to the tenant, whose edges are "" and "\xff" as the whole key space's are.
"""

import argparse
import collections
import os
import random
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fdb_ctypes as F  # noqa: E402
import model as M  # noqa: E402
from model import UNKNOWN  # noqa: E402

# Error codes (FDB-FACTS.md).
NOT_COMMITTED = 1020
TRANSACTION_TOO_OLD = 1007
TRANSACTION_CANCELLED = 1025
CLIENT_INVALID_OPERATION = 2000
KEY_OUTSIDE_LEGAL_RANGE = 2004
INVALID_OPTION = 2007
INVERTED_RANGE = 2005
VERSION_INVALID = 2011
INVALID_MUTATION_TYPE = 2018
NO_COMMIT_VERSION = 2021
KEY_TOO_LARGE = 2102
VALUE_TOO_LARGE = 2103
EXACT_MODE_WITHOUT_LIMITS = 2210

# on_error retries these (FDB-FACTS.md): after a backoff, or at once for 1007 and 1009,
# the transaction is reset and the returned future succeeds.
RETRYABLE = [1020, 1021, 1038, 1037, 1042, 1078, 1051, 1213, 1007, 1009]
# Anything else comes back as the future's error.
NOT_RETRYABLE = [2000, 2004, 2005, 2011, 2102, 2103, 4000]

SUFFIXES = [
    b"", b"\x00", b"\x00\x00", b"\x00\x01", b"\x00\xff", b"\x01", b"0", b"1", b"a", b"a\x00",
    b"a\xff", b"aa", b"ab", b"abc", b"b", b"b\x00", b"ba", b"bb", b"c", b"cc", b"d", b"m",
    b"x", b"y", b"z", b"\x7f", b"\xfe", b"\xff", b"\xff\x00", b"\xff\xff",
]

VALUES = [
    b"", b"\x00", b"\x01", b"\xff", b"a", b"b", b"ab", b"abc", b"\x00\x00\x00\x00",
    b"\x01\x00\x00\x00\x00\x00\x00\x00", b"\xff\xff", b"zz", b"\x7f\x80", b"hello", b"\x05\x00",
    b"\x00\x05",
]

ATOMIC_OPS = [M.ADD, M.BIT_AND, M.BIT_OR, M.BIT_XOR, M.APPEND_IF_FITS, M.MAX, M.MIN,
              M.BYTE_MIN, M.BYTE_MAX, M.COMPARE_AND_CLEAR]

MODES = {
    F.STREAMING_MODE_WANT_ALL: "WANT_ALL", F.STREAMING_MODE_ITERATOR: "ITERATOR",
    F.STREAMING_MODE_EXACT: "EXACT", F.STREAMING_MODE_SMALL: "SMALL",
    F.STREAMING_MODE_MEDIUM: "MEDIUM", F.STREAMING_MODE_LARGE: "LARGE",
    F.STREAMING_MODE_SERIAL: "SERIAL",
}


# Where the test's keys live: every run clears its side's namespace first.
NAMESPACES = [b"\x00pyrand/", b"\xfe\xffpyrand/"]

NEIGHBOURS = 8  # keys read on each side of the prefix at the start


class Mismatch(Exception):
    pass


def short(x, n=60):
    """A printable form of a result, long bytes shortened."""
    if x is UNKNOWN:
        return "<not predicted>"
    if isinstance(x, (bytes, bytearray)):
        r = repr(bytes(x))
        return r if len(r) <= n else f"{r[:n]}...({len(x)} bytes)"
    if isinstance(x, tuple):
        return "(" + ", ".join(short(i, n) for i in x) + ")"
    if isinstance(x, list):
        if len(x) > 12:
            return "[" + ", ".join(short(i, 30) for i in x[:12]) + f", ... {len(x)} items]"
        return "[" + ", ".join(short(i, 30) for i in x) + "]"
    return repr(x)


def overlaps(ranges_a, ranges_b):
    return any(a < d and c < b for a, b in ranges_a for c, d in ranges_b if a < b and c < d)


class Txn:
    """A real transaction and its model, with what the test tracks about it."""

    def __init__(self, runner, base=None, ryw=True, snapshot_ryw=True):
        self.tr = runner.db.create_transaction()
        self.m = M.TxnModel(lambda: runner.data, base=base, ryw=ryw, snapshot_ryw=snapshot_ryw)
        self.lib = runner.lib
        self.last_size = 0
        self.vs_future = None
        self.write_conflict = False  # a write conflict range was added by hand
        self.empty_write_conflict = False  # an empty one was
        self.read_version = None
        self.options = False  # options set that a reset would drop

    def reset_model(self):
        self.m.reset()
        self.last_size = 0
        self.write_conflict = False
        self.empty_write_conflict = False
        self.read_version = None
        self.drop_versionstamp()

    def drop_versionstamp(self):
        if self.vs_future:
            self.lib.lib.fdb_future_destroy(self.vs_future)
            self.vs_future = None

    def destroy(self):
        self.drop_versionstamp()
        self.tr.destroy()


class Runner:
    def __init__(self, lib, db, seed, ops, max_transactions, history=30, log=None, in_tenant=False):
        self.lib = lib
        self.db = db  # a database, or a tenant (in_tenant)
        self.in_tenant = in_tenant
        self.seed = seed
        self.rng = random.Random(seed)
        self.max_ops = ops
        self.max_transactions = max_transactions
        # Even seeds work at the bottom of the key space, odd ones at the top, so that
        # selectors run off the first or the last key (clamping to "" or "\xff").
        self.namespace = NAMESPACES[seed % 2]
        self.prefix = self.namespace + str(seed).encode() + b"/"
        self.prefix_end = M.strinc(self.prefix)
        self.keys = [self.prefix + s for s in SUFFIXES]
        self.big_key = self.prefix + b"K" * (M.KEY_SIZE_LIMIT - len(self.prefix))
        self.history = collections.deque(maxlen=history)
        self.op_no = 0
        self.txn_no = 0
        self.data = {}  # the committed contents under the prefix
        self.commits = []  # (committed version, contents then, monotonic time)
        self.last_committed = 0
        self.last_progress = time.monotonic()
        self.stats = collections.Counter()
        self.world = None
        self.current = ""
        self.log = log

    # -- recording and checking -----------------------------------------------------------
    def record(self, desc, expected, actual, ok=True):
        self.op_no += 1
        self.last_progress = time.monotonic()
        self.history.append((self.op_no, self.txn_no, desc, expected, actual, ok))
        if self.log:
            self.log.write(f"#{self.op_no} t{self.txn_no} {desc}\n")
        self.stats[desc.split("(")[0]] += 1

    def check(self, desc, expected, actual):
        """expected/actual: ("ok", value) or ("err", code); expected may be UNKNOWN (any
        success) or a list of acceptable outcomes."""
        if expected is UNKNOWN:
            ok = actual[0] == "ok"
            if desc.startswith(("get(", "get_key(", "get_range(")):
                self.stats["(reads not predicted)"] += 1
        elif isinstance(expected, list):
            ok = actual in expected
        else:
            ok = actual == expected
        self.record(desc, expected, actual, ok)
        if not ok:
            raise Mismatch(f"{desc}: expected {short(expected, 200)}, got {short(actual, 200)}")
        return actual

    def fail(self, message):
        self.record("check", "", message, False)
        raise Mismatch(message)

    @staticmethod
    def call(fn):
        try:
            return ("ok", fn())
        except F.FDBError as e:
            return ("err", e.code)

    # -- random choices -----------------------------------------------------------------
    def pick_key(self, write=False):
        """A key from the pool; for reads, now and then one just outside the prefix."""
        r = self.rng.random()
        if r < 0.94 or write:
            return self.rng.choice(self.keys)
        if r < 0.97:
            return self.rng.choice(self.keys) + self.rng.choice([b"\x00", b"q", b"\xff"])
        return self.rng.choice([self.prefix[:-1], self.prefix_end, self.prefix + b"\xff\xff\xff"])

    def pick_value(self):
        r = self.rng.random()
        if r < 0.6:
            return self.rng.choice(VALUES)
        if r < 0.995:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(0, 24)))
        return bytes([self.rng.randrange(256)]) * M.VALUE_SIZE_LIMIT  # the largest allowed

    def pick_operand(self, op):
        if op in (M.BYTE_MIN, M.BYTE_MAX, M.COMPARE_AND_CLEAR, M.APPEND_IF_FITS) or self.rng.random() < 0.4:
            return self.rng.choice(VALUES)
        n = self.rng.choice([0, 1, 1, 2, 3, 4, 4, 8, 8, 9, 12])
        return bytes(self.rng.randrange(256) for _ in range(n))

    def pick_anchor(self):
        r = self.rng.random()
        if r < 0.85:
            return self.rng.choice(self.keys)
        if r < 0.92:
            return self.rng.choice(self.keys) + b"\x00"
        return self.rng.choice([b"", b"\xff", self.prefix, self.prefix[:-1], self.prefix_end,
                                self.prefix + b"\xff\xff\xff"])

    def pick_selector(self):
        key = self.pick_anchor()
        form = self.rng.randrange(4)
        or_equal, offset = [(False, 0), (True, 0), (True, 1), (False, 1)][form]
        if self.rng.random() < 0.4:
            offset += self.rng.randint(-3, 3)
        return (key, or_equal, offset)

    def pick_range_keys(self):
        a, b = sorted([self.pick_key(True), self.pick_key(True)])
        if self.rng.random() < 0.08:
            b = a
        return a, b

    # -- operations on a transaction --------------------------------------------------------
    def op_get(self, t, key=None, snapshot=None):
        key = self.pick_key() if key is None else key
        snap = self.rng.random() < 0.3 if snapshot is None else snapshot
        exp = self.world.get(t.m.view(snap), key)
        exp = UNKNOWN if exp is UNKNOWN else ("ok", exp)
        act = self.call(lambda: t.tr.get(key, snap))
        self.check(f"get({short(key)}, snapshot={snap})", exp, act)

    def op_get_key(self, t):
        sel = self.pick_selector()
        snap = self.rng.random() < 0.3
        exp = self.world.resolve(t.m.view(snap), *sel)
        exp = UNKNOWN if exp is UNKNOWN else ("ok", exp)
        act = self.call(lambda: t.tr.get_key(*sel, snap))
        self.check(f"get_key({short(sel)}, snapshot={snap})", exp, act)

    def gather(self, tr, begin, end, limit, target_bytes, mode, snapshot, reverse, iteration=1):
        """Reads a whole range the way a binding does: page after page, continuing after
        the last key while `more` is true. Returns (rows, rows in the first page)."""
        rows, first, remaining = [], None, limit
        while True:
            page, more = tr.get_range_page(begin, end, remaining, target_bytes, mode, iteration,
                                           snapshot, reverse)
            if first is None:
                first = len(page)
            if remaining and len(page) > remaining:
                self.fail(f"get_range page of {len(page)} rows over a limit of {remaining}")
            keys = [k for k, _ in ([rows[-1]] if rows else []) + page]
            if any((a <= b) if reverse else (a >= b) for a, b in zip(keys, keys[1:])):
                self.fail(f"get_range rows out of order: {short(keys)}")
            rows += page
            if not page or not more or (remaining and len(page) == remaining):
                return rows, first
            if remaining:
                remaining -= len(page)
            iteration += 1
            if reverse:
                end = (page[-1][0], False, 1)
            else:
                begin = (page[-1][0], True, 1)
            if iteration > 100000:
                self.fail("get_range: no end to the pages")

    def op_get_range(self, t):
        begin, end = self.pick_selector(), self.pick_selector()
        if self.rng.random() < 0.75 and begin[0] > end[0]:
            begin, end = end, begin
        limit = 0 if self.rng.random() < 0.5 else self.rng.randint(1, 12)
        target_bytes = 0 if self.rng.random() < 0.7 else self.rng.choice([1, 10, 50, 200, 1000])
        mode = self.rng.choice(list(MODES))
        if mode == F.STREAMING_MODE_EXACT and limit == 0:
            limit = self.rng.randint(1, 12)
        reverse = self.rng.random() < 0.35
        snap = self.rng.random() < 0.3
        # ITERATOR: iterations past the last size step keep to the largest one.
        iteration = self.rng.randint(1, 12) if self.rng.random() < 0.3 else 1
        exp = self.world.range_rows(t.m.view(snap), begin, end, limit, reverse)
        exp = UNKNOWN if exp is UNKNOWN else ("ok", exp)
        act = self.call(lambda: self.gather(t.tr, begin, end, limit, target_bytes, mode, snap, reverse,
                                            iteration))
        first = None
        if act[0] == "ok":
            act, first = ("ok", act[1][0]), act[1][1]
        desc = (f"get_range({short(begin)}, {short(end)}, limit={limit}, target_bytes={target_bytes}, "
                f"mode={MODES[mode]}, iteration={iteration}, snapshot={snap}, reverse={reverse})")
        self.check(desc, exp, act)
        if mode == F.STREAMING_MODE_EXACT and target_bytes == 0:
            # EXACT: the rows asked for come in a single batch.
            self.check("get_range EXACT first batch size", UNKNOWN if exp is UNKNOWN else ("ok", len(exp[1])),
                       ("ok", first))

    def op_set(self, t):
        r = self.rng.random()
        key = self.big_key if r < 0.005 else self.pick_key(True)
        value = self.pick_value()
        t.tr.set(key, value)
        t.m.add(("set", key, value))
        self.record(f"set({short(key)}, {short(value)})", "", "")

    def op_clear(self, t):
        key = self.pick_key(True)
        t.tr.clear(key)
        t.m.add(("clear", key))
        self.record(f"clear({short(key)})", "", "")

    def op_clear_range(self, t):
        if self.rng.random() < 0.05:
            a, b = self.prefix, self.prefix_end
        else:
            a, b = self.pick_range_keys()
        t.tr.clear_range(a, b)
        t.m.add(("clear_range", a, b))
        self.record(f"clear_range({short(a)}, {short(b)})", "", "")

    def op_atomic(self, t):
        op = self.rng.choice(ATOMIC_OPS)
        key = self.pick_key(True)
        param = self.pick_operand(op)
        if op == M.APPEND_IF_FITS and self.rng.random() < 0.1:
            # Right at the value size limit: appended when the result fits, else nothing.
            # (Value lengths do not depend on versionstamps, so the choice stays seeded.)
            have = len(t.m.current().get(key) or b"")
            n = M.VALUE_SIZE_LIMIT - have + self.rng.choice([-1, 0, 0, 1])
            param = b"\x07" * max(0, min(n, M.VALUE_SIZE_LIMIT))
        t.tr.atomic_op(key, param, op)
        t.m.add(("atomic", op, key, param))
        self.record(f"atomic_op({M.ATOMIC_NAMES[op]}, {short(key)}, {short(param)})", "", "")

    def op_add_conflict_range(self, t):
        a, b = self.pick_range_keys()
        kind = self.rng.choice([F.CONFLICT_RANGE_READ, F.CONFLICT_RANGE_WRITE])
        act = self.call(lambda: t.tr.add_conflict_range(a, b, kind))
        if kind == F.CONFLICT_RANGE_WRITE:
            if a < b:
                t.write_conflict = True
            else:
                t.empty_write_conflict = True
        self.check(f"add_conflict_range({short(a)}, {short(b)}, {'write' if kind else 'read'})",
                   ("ok", None), act)

    def op_get_read_version(self, t):
        act = self.check("get_read_version", UNKNOWN, self.call(t.tr.get_read_version))
        v = act[1]
        if t.read_version is None:
            t.m.fix_read_version()
            if v < self.last_committed:
                self.fail(f"read version {v} below the last committed version {self.last_committed}")
            t.read_version = v
        elif v != t.read_version:
            self.fail(f"read version changed within a transaction: {t.read_version} then {v}")

    def op_approximate_size(self, t):
        act = self.check("get_approximate_size", UNKNOWN, self.call(t.tr.get_approximate_size))
        if act[1] < t.last_size:
            self.fail(f"approximate size went down: {t.last_size} then {act[1]}")
        t.last_size = act[1]

    def op_versionstamped(self, t):
        """A versionstamped key or value; the transaction commits right after."""
        if self.rng.random() < 0.5:
            tail = self.rng.choice([b"", b"t", b"\x00\xff"])
            body = self.prefix + b"vs" + b"\x00" * 10 + tail
            template = body + (len(self.prefix) + 2).to_bytes(4, "little")
            value = self.pick_value()
            t.tr.atomic_op(template, value, M.SET_VERSIONSTAMPED_KEY)
            t.m.add(("vs_key", template, value))
            self.record(f"atomic_op(SET_VERSIONSTAMPED_KEY, {short(template)}, {short(value)})", "", "")
        else:
            key = self.pick_key(True)
            head = self.rng.choice([b"", b"h", b"head"])
            tail = self.rng.choice([b"", b"t"])
            operand = head + b"\x00" * 10 + tail + len(head).to_bytes(4, "little")
            t.tr.atomic_op(key, operand, M.SET_VERSIONSTAMPED_VALUE)
            t.m.add(("vs_value", key, operand))
            self.record(f"atomic_op(SET_VERSIONSTAMPED_VALUE, {short(key)}, {short(operand)})", "", "")
        if t.vs_future is None:
            t.vs_future = t.tr.get_versionstamp_future()

    def random_op(self, t, allow_versionstamp=True):
        """One random operation; returns True when it was a versionstamped write."""
        r = self.rng.random()
        if r < 0.14:
            self.op_set(t)
        elif r < 0.19:
            self.op_clear(t)
        elif r < 0.24:
            self.op_clear_range(t)
        elif r < 0.36:
            self.op_get(t)
        elif r < 0.47:
            self.op_get_key(t)
        elif r < 0.61:
            self.op_get_range(t)
        elif r < 0.77:
            self.op_atomic(t)
        elif r < 0.80:
            self.op_get_read_version(t)
        elif r < 0.85:
            self.op_approximate_size(t)
        elif r < 0.87:
            self.op_add_conflict_range(t)
        elif r < 0.89:
            # The next write adds no write conflict range; it is still a write.
            self.check("set_option(NEXT_WRITE_NO_WRITE_CONFLICT_RANGE)", ("ok", None),
                       self.call(lambda: t.tr.set_option(F.TR_OPTION_NEXT_WRITE_NO_WRITE_CONFLICT_RANGE)))
            self.op_set(t) if self.rng.random() < 0.5 else self.op_atomic(t)
        elif r < 0.92 and allow_versionstamp:
            self.op_versionstamped(t)
            return True
        else:
            self.op_set(t)
        return False

    # -- commits and the database check ---------------------------------------------------
    def commit(self, t, expected=("ok", None)):
        """Commits t and checks what follows from it. Returns the outcome."""
        act = self.check("commit", expected, self.call(t.tr.commit))
        if act[0] != "ok":
            t.drop_versionstamp()
            return act
        writes = t.m.has_writes() or t.write_conflict
        cv = self.check("get_committed_version", UNKNOWN, self.call(t.tr.get_committed_version))[1]
        muts = t.m.mutations
        if (not t.write_conflict and (muts or t.empty_write_conflict)
                and all(m[0] == "clear_range" and m[1] == m[2] for m in muts)):
            writes = cv != -1  # whether empty ranges make a write is left open
        if not writes:
            if cv != -1:
                self.fail(f"read-only commit gave committed version {cv}, not -1")
        elif cv <= self.last_committed:
            self.fail(f"committed version {cv} not above the previous commit's {self.last_committed}")
        elif t.read_version is not None and cv <= t.read_version:
            self.fail(f"committed version {cv} not above the read version {t.read_version}")
        stamp = None
        if t.vs_future is not None:
            f, t.vs_future = t.vs_future, None
            got = self.call(lambda: t.tr.versionstamp_result(f))
            if not writes:
                self.check("get_versionstamp (read-only)", ("err", NO_COMMIT_VERSION), got)
            else:
                self.check("get_versionstamp", UNKNOWN, got)
                stamp = got[1]
                if len(stamp) != 10 or int.from_bytes(stamp[:8], "big") != cv:
                    self.fail(f"versionstamp {stamp!r} does not start with the committed version {cv}")
        if writes:
            for m in t.m.mutations:
                M.apply_mutation(self.data, m, stamp)
            self.last_committed = cv
            self.commits.append((cv, dict(self.data), time.monotonic()))
            if len(self.commits) > 64:
                del self.commits[0]
            self.verify_db()
        return act

    def verify_db(self, label="verify"):
        """The database under the prefix, read in a new transaction, equals the model."""
        t = self.db.create_transaction()
        try:
            v = self.check(f"{label}: get_read_version", UNKNOWN, self.call(t.get_read_version))[1]
            if v < self.last_committed:
                self.fail(f"read version {v} below the last committed version {self.last_committed}")
            act = self.call(lambda: self.gather(t, (self.prefix, False, 1), (self.prefix_end, False, 1),
                                                0, 0, F.STREAMING_MODE_WANT_ALL, False, False)[0])
            self.check(f"{label}: get_range(prefix)", ("ok", sorted(self.data.items())), act)
        finally:
            t.destroy()

    # -- transactions -----------------------------------------------------------------------
    def txn_regular(self):
        ryw = self.rng.random() >= 0.05
        snapshot_ryw = self.rng.random() >= 0.08
        t = Txn(self, ryw=ryw, snapshot_ryw=snapshot_ryw)
        try:
            if not ryw:
                t.options = True
                self.check("set_option(READ_YOUR_WRITES_DISABLE)", ("ok", None),
                           self.call(lambda: t.tr.set_option(F.TR_OPTION_READ_YOUR_WRITES_DISABLE)))
            if not snapshot_ryw:
                t.options = True
                self.check("set_option(SNAPSHOT_RYW_DISABLE)", ("ok", None),
                           self.call(lambda: t.tr.set_option(F.TR_OPTION_SNAPSHOT_RYW_DISABLE)))
            if self.rng.random() < 0.15:
                t.vs_future = t.tr.get_versionstamp_future()
            versionstamped = False
            for _ in range(self.rng.randint(1, 20)):
                if self.random_op(t):
                    versionstamped = True
                    break
            r = self.rng.random()
            if versionstamped or r < 0.78:
                self.commit(t)
            elif r < 0.84:
                self.end_with_cancel(t)
            elif r < 0.89 and not t.options:
                self.record("reset", "", "")
                t.tr.reset()
                t.reset_model()
                self.short_txn(t)
            elif r < 0.95 and not t.options:
                self.end_with_on_error(t)
            else:
                self.record("destroy without commit", "", "")
        finally:
            t.destroy()

    def short_txn(self, t, n=None):
        """A few more operations on t (after a reset), then a commit."""
        for _ in range(self.rng.randint(0, 4) if n is None else n):
            if self.random_op(t):
                break
        self.commit(t)

    def end_with_cancel(self, t):
        t.tr.cancel()
        t.drop_versionstamp()
        self.record("cancel", "", "")
        key = self.pick_key()
        self.check(f"get({short(key)}) after cancel", ("err", TRANSACTION_CANCELLED),
                   self.call(lambda: t.tr.get(key)))
        self.check("commit after cancel", ("err", TRANSACTION_CANCELLED), self.call(t.tr.commit))
        # Nothing may be written, not even a little later.
        time.sleep(0.02)
        self.verify_db("verify after the cancelled commit")
        if self.rng.random() < 0.5 and not t.options:
            t.tr.reset()
            t.reset_model()
            self.record("reset", "", "")
            self.short_txn(t)

    def end_with_on_error(self, t):
        if self.rng.random() < 0.7:
            code = self.rng.choice(RETRYABLE)
            t.drop_versionstamp()
            self.check(f"on_error({code})", ("ok", None), self.call(lambda: t.tr.on_error(code)))
            t.reset_model()  # retried: the transaction was reset
            if self.rng.random() < 0.5:
                self.op_get(t)
            self.short_txn(t)
        else:
            code = self.rng.choice(NOT_RETRYABLE)
            t.drop_versionstamp()
            self.check(f"on_error({code})", ("err", code), self.call(lambda: t.tr.on_error(code)))
            t.tr.reset()
            t.reset_model()
            self.record("reset", "", "")
            self.short_txn(t)

    def txn_conflict(self):
        """T1 reads (or not), T2 writes and commits, T1 writes and commits: not_committed
        exactly when a read conflict range of T1 meets a write conflict range of T2."""
        t1 = Txn(self)
        t2 = None
        try:
            self.op_get_read_version(t1)
            kind = self.rng.choice(["get", "get_snapshot", "range", "range_snapshot", "read_conflict_range",
                                    "atomic", "blind"])
            reads = []
            k = self.rng.choice(self.keys)
            a, b = sorted(self.rng.sample(self.keys, 2))
            if kind in ("get", "get_snapshot"):
                self.op_get(t1, k, snapshot=(kind == "get_snapshot"))
                if kind == "get":
                    reads.append((k, k + b"\x00"))
            elif kind in ("range", "range_snapshot"):
                snap = kind == "range_snapshot"
                exp = ("ok", self.world.range_rows(t1.m.view(snap), (a, False, 1), (b, False, 1), 0, False))
                act = self.call(lambda: self.gather(t1.tr, (a, False, 1), (b, False, 1), 0, 0,
                                                    F.STREAMING_MODE_WANT_ALL, snap, False)[0])
                self.check(f"get_range({short(a)}, {short(b)}, snapshot={snap})", exp, act)
                if not snap:
                    reads.append((a, b))
            elif kind == "read_conflict_range":
                self.check(f"add_conflict_range({short(a)}, {short(b)}, read)", ("ok", None),
                           self.call(lambda: t1.tr.add_conflict_range(a, b, F.CONFLICT_RANGE_READ)))
                reads.append((a, b))
            elif kind == "atomic":
                param = self.pick_operand(M.ADD)
                t1.tr.atomic_op(k, param, M.ADD)
                t1.m.add(("atomic", M.ADD, k, param))
                self.record(f"atomic_op(ADD, {short(k)}, {short(param)})", "", "")

            t2 = Txn(self)
            w = self.rng.choice(self.keys)
            if self.rng.random() < 0.45:
                # Aim at what T1 read (or would have read).
                w = k if kind.startswith("get") or kind in ("atomic", "blind") else \
                    self.rng.choice([x for x in self.keys if a <= x < b])
            if kind == "range" and w == b:
                w = a  # the end of a range read is outside it; keep to clear cases
            writes = []
            variant = self.rng.choice(["set", "no_write_conflict", "no_write_conflict_then_set",
                                       "write_conflict_range", "write_conflict_range_only"])
            if variant == "set":
                self.op_set_key(t2, w)
                writes.append((w, w + b"\x00"))
            elif variant.startswith("no_write_conflict"):
                self.check("set_option(NEXT_WRITE_NO_WRITE_CONFLICT_RANGE)", ("ok", None),
                           self.call(lambda: t2.tr.set_option(F.TR_OPTION_NEXT_WRITE_NO_WRITE_CONFLICT_RANGE)))
                self.op_set_key(t2, w)
                if variant == "no_write_conflict_then_set":
                    w2 = self.rng.choice(self.keys)
                    self.op_set_key(t2, w2)
                    writes.append((w2, w2 + b"\x00"))
            else:
                c, d = sorted(self.rng.sample(self.keys, 2))
                if self.rng.random() < 0.3:
                    c, d = w, w + b"\x00"
                self.check(f"add_conflict_range({short(c)}, {short(d)}, write)", ("ok", None),
                           self.call(lambda: t2.tr.add_conflict_range(c, d, F.CONFLICT_RANGE_WRITE)))
                t2.write_conflict = True
                writes.append((c, d))
                if variant == "write_conflict_range":
                    self.op_set_key(t2, w)
                    writes.append((w, w + b"\x00"))
            self.commit(t2)

            if self.rng.random() < 0.3:
                # Reads stay at T1's read version.
                k2 = self.rng.choice(self.keys)
                snap = self.rng.random() < 0.5
                self.op_get(t1, k2, snapshot=snap)
                if not snap:
                    reads.append((k2, k2 + b"\x00"))
            self.op_set_key(t1, self.rng.choice(self.keys))
            conflict = overlaps(reads, writes)
            self.stats[f"(conflict {kind}/{variant}: {'1020' if conflict else 'commits'})"] += 1
            out = self.commit(t1, ("err", NOT_COMMITTED) if conflict else ("ok", None))
            if out[0] == "err":
                self.check("on_error(1020)", ("ok", None), self.call(lambda: t1.tr.on_error(NOT_COMMITTED)))
                t1.reset_model()
                self.op_get(t1, k, snapshot=False)
                self.op_set_key(t1, self.rng.choice(self.keys))
                self.commit(t1)
        finally:
            t1.destroy()
            if t2 is not None:
                t2.destroy()

    def op_set_key(self, t, key):
        value = self.pick_value()
        t.tr.set(key, value)
        t.m.add(("set", key, value))
        self.record(f"set({short(key)}, {short(value)})", "", "")

    def txn_read_version(self):
        """A transaction at the read version of an earlier commit reads that commit's data."""
        if not self.commits:
            return self.txn_regular()
        v, snap, when = self.commits[self.rng.randrange(max(0, len(self.commits) - 10), len(self.commits))]
        t = Txn(self, base=dict(snap))
        try:
            t.tr.set_read_version(v)
            self.record(f"set_read_version({v})", "", "")
            act = self.call(t.tr.get_read_version)
            old = time.monotonic() - when > 3.0  # might have left the MVCC window
            if old and act == ("err", TRANSACTION_TOO_OLD):
                self.record("get_read_version (old version)", ("err", TRANSACTION_TOO_OLD), act)
                return
            self.check("get_read_version", ("ok", v), act)
            t.read_version = v
            for _ in range(self.rng.randint(1, 5)):
                r = self.rng.random()
                try:
                    if r < 0.4:
                        self.op_get(t)
                    elif r < 0.7:
                        self.op_get_key(t)
                    else:
                        self.op_get_range(t)
                except Mismatch:
                    last = self.history[-1][4]
                    if old and last == ("err", TRANSACTION_TOO_OLD):
                        return
                    raise
            if self.rng.random() < 0.5:
                self.commit(t)  # read-only: committed version -1
        finally:
            t.destroy()

    def txn_error(self):
        """An operation FoundationDB refuses, and what the transaction answers after it."""
        t = Txn(self)
        try:
            kind = self.rng.choice(["key_too_large", "value_too_large", "system_write", "inverted_clear",
                                    "vs_key_offset", "vs_value_offset", "mutation_type", "system_read",
                                    "exact_without_limits", "inverted_conflict_range", "version_invalid",
                                    "read_system_keys", "limits_ok"])
            # A few valid operations first (none before set_read_version: a read version
            # already set is another error).
            for _ in range(0 if kind == "version_invalid" else self.rng.randint(0, 3)):
                self.random_op(t, allow_versionstamp=False)
            deferred = None
            if kind == "key_too_large":
                key = self.prefix + b"K" * (M.KEY_SIZE_LIMIT + 1 - len(self.prefix))
                t.tr.set(key, b"v")
                self.record(f"set({short(key)}, b'v')", "", "")
                deferred = KEY_TOO_LARGE
            elif kind == "value_too_large":
                key = self.pick_key(True)
                t.tr.set(key, b"v" * (M.VALUE_SIZE_LIMIT + 1))
                self.record(f"set({short(key)}, <{M.VALUE_SIZE_LIMIT + 1} bytes>)", "", "")
                deferred = VALUE_TOO_LARGE
            elif kind == "system_write":
                w = self.rng.randrange(3)
                if w == 0:
                    t.tr.set(b"\xff/pyrand", b"x")
                    self.record("set(b'\\xff/pyrand', b'x')", "", "")
                elif w == 1:
                    t.tr.clear(b"\xff\x00")
                    self.record("clear(b'\\xff\\x00')", "", "")
                else:
                    t.tr.clear_range(self.prefix, b"\xff\x01")
                    self.record(f"clear_range({short(self.prefix)}, b'\\xff\\x01')", "", "")
                deferred = KEY_OUTSIDE_LEGAL_RANGE
            elif kind == "inverted_clear":
                a, b = sorted(self.rng.sample(self.keys, 2))
                t.tr.clear_range(b, a)
                self.record(f"clear_range({short(b)}, {short(a)})", "", "")
                deferred = INVERTED_RANGE
            elif kind == "vs_key_offset":
                body = self.prefix + b"vs" + b"\x00" * 6
                pos = self.rng.choice([len(self.prefix) + 2, -1, len(body) - 9])
                key = body + pos.to_bytes(4, "little", signed=True)
                t.tr.atomic_op(key, b"v", M.SET_VERSIONSTAMPED_KEY)
                self.record(f"atomic_op(SET_VERSIONSTAMPED_KEY, {short(key)}, b'v')", "", "")
                deferred = CLIENT_INVALID_OPERATION
            elif kind == "vs_value_offset":
                key = self.pick_key(True)
                operand = self.rng.choice([b"", b"ab", b"abc", b"\x00" * 9 + (0).to_bytes(4, "little"),
                                           b"\x00" * 12 + (3).to_bytes(4, "little"),
                                           b"\x00" * 12 + (-1).to_bytes(4, "little", signed=True)])
                t.tr.atomic_op(key, operand, M.SET_VERSIONSTAMPED_VALUE)
                self.record(f"atomic_op(SET_VERSIONSTAMPED_VALUE, {short(key)}, {short(operand)})", "", "")
                deferred = CLIENT_INVALID_OPERATION
            elif kind == "mutation_type":
                key = self.pick_key(True)
                t.tr.atomic_op(key, b"\x01", 99)
                self.record(f"atomic_op(99, {short(key)}, b'\\x01')", "", "")
                deferred = INVALID_MUTATION_TYPE
            elif kind == "version_invalid":
                v = self.rng.choice([0, -1, -1000])
                t.tr.set_read_version(v)
                self.record(f"set_read_version({v})", "", "")
                deferred = VERSION_INVALID
            elif kind == "system_read":
                which = self.rng.randrange(3)
                if which == 0:
                    key = self.rng.choice([b"\xff", b"\xff/pyrand", b"\xff\x00"])
                    self.check(f"get({short(key)})", ("err", KEY_OUTSIDE_LEGAL_RANGE),
                               self.call(lambda: t.tr.get(key)))
                elif which == 1:
                    sel = (self.rng.choice([b"\xff\x00", b"\xff/pyrand"]), self.rng.random() < 0.5, 1)
                    self.check(f"get_key({short(sel)})", ("err", KEY_OUTSIDE_LEGAL_RANGE),
                               self.call(lambda: t.tr.get_key(*sel)))
                else:
                    begin = (b"\xff\x00", False, 1)
                    self.check("get_range(b'\\xff\\x00', b'\\xff\\x01')", ("err", KEY_OUTSIDE_LEGAL_RANGE),
                               self.call(lambda: t.tr.get_range_page(begin, (b"\xff\x01", False, 1), 0, 0,
                                                                     F.STREAMING_MODE_WANT_ALL, 1, False, False)))
            elif kind == "exact_without_limits":
                self.check("get_range(prefix, EXACT, limit=0, target_bytes=0)", ("err", EXACT_MODE_WITHOUT_LIMITS),
                           self.call(lambda: t.tr.get_range_page((self.prefix, False, 1), (self.prefix_end, False, 1),
                                                                 0, 0, F.STREAMING_MODE_EXACT, 1, False, False)))
            elif kind == "inverted_conflict_range":
                a, b = sorted(self.rng.sample(self.keys, 2))
                kind_ = self.rng.choice([F.CONFLICT_RANGE_READ, F.CONFLICT_RANGE_WRITE])
                self.check(f"add_conflict_range({short(b)}, {short(a)}, {kind_})", ("err", INVERTED_RANGE),
                           self.call(lambda: t.tr.add_conflict_range(b, a, kind_)))
            elif kind == "read_system_keys" and self.in_tenant:
                # A tenant has no system keys: the option (raw access) is refused.
                self.check("set_option(READ_SYSTEM_KEYS)", ("err", INVALID_OPTION),
                           self.call(lambda: t.tr.set_option(F.TR_OPTION_READ_SYSTEM_KEYS)))
                self.record("destroy without commit", "", "")
                return
            elif kind == "read_system_keys":
                self.check("set_option(READ_SYSTEM_KEYS)", ("ok", None),
                           self.call(lambda: t.tr.set_option(F.TR_OPTION_READ_SYSTEM_KEYS)))
                self.check("get(b'\\xff/pyrand-absent')", ("ok", None),
                           self.call(lambda: t.tr.get(b"\xff/pyrand-absent")))
                # With system keys readable, selectors clamp to "\xff\xff" instead of "\xff".
                sel = (b"\xff\xff", self.rng.random() < 0.5, self.rng.randint(1, 3))
                self.check(f"get_key({short(sel)})", ("ok", b"\xff\xff"),
                           self.call(lambda: t.tr.get_key(*sel)))
                self.record("destroy without commit", "", "")
                return
            elif kind == "limits_ok":
                # The largest key and value are accepted.
                value = b"w" * M.VALUE_SIZE_LIMIT
                t.tr.set(self.big_key, value)
                t.m.add(("set", self.big_key, value))
                self.record(f"set({short(self.big_key)}, <{M.VALUE_SIZE_LIMIT} bytes>)", "", "")
                self.op_get(t, self.big_key)
                self.commit(t)
                return

            if deferred is None:
                # The transaction goes on normally after a failed read.
                self.record("reset", "", "")
                t.tr.reset()
                t.reset_model()
                self.short_txn(t)
                return
            # The error is reported by the next operations and by the commit.
            for _ in range(self.rng.randint(0, 2)):
                r = self.rng.random()
                key = self.rng.choice(self.keys)
                if r < 0.4:
                    act = self.call(lambda: t.tr.get(key))
                    self.check(f"get({short(key)}) after the error", ("err", deferred), act)
                elif r < 0.6:
                    act = self.call(lambda: t.tr.get_key(key, False, 1))
                    self.check(f"get_key({short(key)}) after the error", ("err", deferred), act)
                elif r < 0.8:
                    act = self.call(lambda: t.tr.get_range_page((key, False, 1), (self.prefix_end, False, 1), 0, 0,
                                                                F.STREAMING_MODE_WANT_ALL, 1, False, False))
                    self.check("get_range after the error", ("err", deferred), act)
                else:
                    # Later writes change nothing.
                    t.tr.set(key, b"ignored")
                    self.record(f"set({short(key)}, b'ignored') after the error", "", "")
            self.check("commit", ("err", deferred), self.call(t.tr.commit))
            if self.rng.random() < 0.5:
                self.check(f"on_error({deferred})", ("err", deferred),
                           self.call(lambda: t.tr.on_error(deferred)))
            t.tr.reset()
            t.reset_model()
            self.record("reset", "", "")
            self.short_txn(t)
        finally:
            t.destroy()

    # -- the run ------------------------------------------------------------------------------
    def setup(self):
        """Clears the prefix and reads the keys next to it."""
        tr = self.db.create_transaction()
        try:
            while True:
                try:
                    tr.clear_range(self.namespace, M.strinc(self.namespace))
                    tr.commit()
                    break
                except F.FDBError as e:
                    tr.on_error(e.code)
            tr.reset()
            below = self.gather(tr, (b"", False, 1), (self.prefix, False, 1), NEIGHBOURS, 0,
                                F.STREAMING_MODE_WANT_ALL, False, True)[0]
            above = self.gather(tr, (self.prefix_end, False, 1), (b"\xff", False, 1), NEIGHBOURS, 0,
                                F.STREAMING_MODE_WANT_ALL, False, False)[0]
            rest = self.gather(tr, (self.prefix, False, 1), (self.prefix_end, False, 1), 0, 0,
                               F.STREAMING_MODE_WANT_ALL, False, False)[0]
            if rest:
                raise Mismatch(f"the prefix is not empty after clearing it: {short(rest)}")
        finally:
            tr.destroy()
        self.world = M.KnownWorld(self.prefix, below[::-1], len(below) < NEIGHBOURS,
                                  above, len(above) < NEIGHBOURS)

    def run(self):
        self.setup()
        kinds = [(0.74, self.txn_regular), (0.85, self.txn_conflict), (0.94, self.txn_error),
                 (1.0, self.txn_read_version)]
        while self.op_no < self.max_ops and (not self.max_transactions or self.txn_no < self.max_transactions):
            self.txn_no += 1
            r = self.rng.random()
            for bound, fn in kinds:
                if r < bound:
                    self.current = fn.__name__
                    self.stats["txn:" + fn.__name__[4:]] += 1
                    fn()
                    break

    def dump(self, out):
        print(f"last {len(self.history)} operations (op#, transaction#):", file=out)
        for op_no, txn_no, desc, exp, act, ok in self.history:
            mark = "  " if ok else "!!"
            line = f"{mark} #{op_no} t{txn_no} {desc}"
            if exp != "" or act != "":
                line += f"\n        expected {short(exp, 120)}\n        actual   {short(act, 120)}"
            print(line, file=out)


def create_tenant(db, name):
    """Creates tenant `name` through the management module (nothing if it exists)."""
    tr = db.create_transaction()
    try:
        while True:
            try:
                tr.set_option(F.TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES)
                tr.set(b"\xff\xff/management/tenant/map/" + name, b"")
                tr.commit()
                return
            except F.FDBError as e:
                tr.on_error(e.code)
    finally:
        tr.destroy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cluster-file", required=True)
    parser.add_argument("--library", required=True, help="path of libfdb_c.so")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--ops", type=int, required=True, help="operations to run (about)")
    parser.add_argument("--transactions", type=int, default=0, help="stop after this many transactions")
    parser.add_argument("--log", help="write every operation to this file")
    parser.add_argument("--history", type=int, default=30, help="operations shown on a failure")
    parser.add_argument("--stall-seconds", type=float, default=60.0,
                        help="fail when no operation completes for this long")
    parser.add_argument("--tenant", help="run every transaction in this tenant")
    args = parser.parse_args()

    where = f" in tenant {args.tenant}" if args.tenant else ""
    print(f"random_ops_test: seed {args.seed}, {args.ops} operations{where}", flush=True)
    lib = F.Library(args.library)
    db = lib.open_database(args.cluster_file)
    owner = db
    if args.tenant:
        create_tenant(db, args.tenant.encode())
        owner = db.open_tenant(args.tenant.encode())
    runner = Runner(lib, owner, args.seed, args.ops, args.transactions, args.history,
                    open(args.log, "w") if args.log else None, in_tenant=bool(args.tenant))

    def watchdog():
        while True:
            time.sleep(1)
            if time.monotonic() - runner.last_progress > args.stall_seconds:
                print(f"FAILED: seed {args.seed}: no operation completed for {args.stall_seconds:.0f} s "
                      f"after op #{runner.op_no} (transaction {runner.txn_no}, {runner.current})",
                      file=sys.stderr)
                runner.dump(sys.stderr)
                sys.stderr.flush()
                os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    started = time.monotonic()
    try:
        runner.run()
    except Mismatch as e:
        print(f"FAILED: seed {args.seed}, op #{runner.op_no} (transaction {runner.txn_no}, {runner.current}): {e}",
              file=sys.stderr)
        runner.dump(sys.stderr)
        print(f"rerun: {sys.argv[0]} --cluster-file {args.cluster_file} --library {args.library} "
              f"--seed {args.seed} --ops {args.ops}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)
    elapsed = time.monotonic() - started
    counts = ", ".join(f"{k} {v}" for k, v in sorted(runner.stats.items()))
    print(f"random_ops_test: seed {args.seed} passed: {runner.op_no} operations in {runner.txn_no} transactions "
          f"in {elapsed:.1f} s", flush=True)
    print(f"  {counts}", flush=True)
    db.destroy()
    lib.stop()


if __name__ == "__main__":
    main()
