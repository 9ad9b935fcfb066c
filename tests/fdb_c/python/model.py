"""An in-memory model of FoundationDB's semantics, written from FoundationDB's documentation
(api-c, api-python, developer-guide; FDB-FACTS.md), not from Strata's client.

- apply_atomic: the atomic mutation types.
- Selectors: resolution of key selectors, with the documented clamping to "" and "\\xff".
- KnownWorld: the keys the test can know about. The test owns every key under its prefix;
  outside it, the keys next to the prefix are read once at the start and assumed not to
  change. A selector that walks beyond what is known resolves to UNKNOWN, and the test does
  not check that result.
- TxnModel: a transaction's view (read-your-writes over the snapshot at its read version)
  and its list of mutations, which a commit replays on the database as it is then.
"""

import bisect

KEY_SIZE_LIMIT = 10_000
VALUE_SIZE_LIMIT = 100_000

ADD = 2
BIT_AND = 6
BIT_OR = 7
BIT_XOR = 8
APPEND_IF_FITS = 9
MAX = 12
MIN = 13
SET_VERSIONSTAMPED_KEY = 14
SET_VERSIONSTAMPED_VALUE = 15
BYTE_MIN = 16
BYTE_MAX = 17
COMPARE_AND_CLEAR = 20

ATOMIC_NAMES = {
    ADD: "ADD", BIT_AND: "BIT_AND", BIT_OR: "BIT_OR", BIT_XOR: "BIT_XOR",
    APPEND_IF_FITS: "APPEND_IF_FITS", MAX: "MAX", MIN: "MIN",
    SET_VERSIONSTAMPED_KEY: "SET_VERSIONSTAMPED_KEY", SET_VERSIONSTAMPED_VALUE: "SET_VERSIONSTAMPED_VALUE",
    BYTE_MIN: "BYTE_MIN", BYTE_MAX: "BYTE_MAX", COMPARE_AND_CLEAR: "COMPARE_AND_CLEAR",
}

UNKNOWN = object()  # a result the model cannot predict (outside the known keys)

END_OF_KEYS = b"\xff"


def strinc(key):
    """The first key after every key that starts with `key` (key must not be all \\xff)."""
    k = key.rstrip(b"\xff")
    return k[:-1] + bytes([k[-1] + 1])


def _fit(existing, n):
    """The existing value zero-extended or truncated to n bytes (absent counts as empty)."""
    e = existing or b""
    return e[:n] + b"\x00" * (n - len(e[:n]))


def _le(b):
    return int.from_bytes(b, "little")


def apply_atomic(op, existing, param):
    """The value an atomic op leaves, given the existing value (None: absent). None means
    the key is cleared (compare_and_clear)."""
    n = len(param)
    if op == ADD:
        # Existing missing or shorter: zero-extended; longer: truncated to the operand.
        total = (_le(_fit(existing, n)) + _le(param)) % (1 << (8 * n)) if n else 0
        return total.to_bytes(n, "little")
    if op == BIT_AND:
        if existing is None:
            return param  # missing: the operand is stored
        return bytes(a & b for a, b in zip(_fit(existing, n), param))
    if op == BIT_OR:
        return bytes(a | b for a, b in zip(_fit(existing, n), param))
    if op == BIT_XOR:
        return bytes(a ^ b for a, b in zip(_fit(existing, n), param))
    if op == APPEND_IF_FITS:
        if existing is None:
            return param
        if len(existing) + len(param) > VALUE_SIZE_LIMIT:
            return existing  # silently unchanged
        return existing + param
    if op == MAX:
        e = _fit(existing, n)
        return param if _le(param) >= _le(e) else e
    if op == MIN:
        if existing is None:
            return param
        e = _fit(existing, n)
        return param if _le(param) <= _le(e) else e
    if op == BYTE_MIN:
        if existing is None:
            return param
        return min(existing, param)
    if op == BYTE_MAX:
        if existing is None:
            return param
        return max(existing, param)
    if op == COMPARE_AND_CLEAR:
        if existing is None or existing == param:
            return None
        return existing
    raise ValueError(f"not a plain atomic op: {op}")


def versionstamp_offset(data):
    """The little-endian 4-byte placeholder position at the end of a versionstamped key or
    operand (API 520 and later), or None when it does not name 10 bytes inside the rest."""
    if len(data) < 4:
        return None
    pos = int.from_bytes(data[-4:], "little", signed=True)
    if pos < 0 or pos + 10 > len(data) - 4:
        return None
    return pos


def fill_versionstamp(data, stamp):
    pos = versionstamp_offset(data)
    body = data[:-4]
    return body[:pos] + stamp + body[pos + 10:]


# --- mutations --------------------------------------------------------------------------
# ("set", k, v) ("clear", k) ("clear_range", b, e) ("atomic", op, k, param)
# ("vs_key", template, value) ("vs_value", key, operand)

def apply_mutation(data, m, stamp=None):
    kind = m[0]
    if kind == "set":
        data[m[1]] = m[2]
    elif kind == "clear":
        data.pop(m[1], None)
    elif kind == "clear_range":
        b, e = m[1], m[2]
        for k in [k for k in data if b <= k < e]:
            del data[k]
    elif kind == "atomic":
        _, op, k, param = m
        v = apply_atomic(op, data.get(k), param)
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    elif kind == "vs_key":
        if stamp is None:
            raise ValueError("versionstamped key read before the commit")
        data[fill_versionstamp(m[1], stamp)] = m[2]
    elif kind == "vs_value":
        if stamp is None:
            raise ValueError("versionstamped value read before the commit")
        data[m[1]] = fill_versionstamp(m[2], stamp)
    else:
        raise ValueError(kind)


class KnownWorld:
    """What the test knows of the normal key space ("" to "\\xff"): every key under its
    prefix (the data dicts) and the keys just outside it, which it read at the start.

    before: the last keys below the prefix ([(key, value)] ascending); before_complete: no
    other key is below them. after / after_complete: the same above the prefix (below
    "\\xff"). Every key in [lo, hi) is known:
      lo = "" if before_complete, else the first of `before` (or the prefix);
      hi = "\\xff" if after_complete, else just past the last of `after` (or the prefix's end).
    """

    def __init__(self, prefix, before, before_complete, after, after_complete):
        self.prefix = prefix
        self.prefix_end = strinc(prefix)
        self.before = list(before)
        self.after = list(after)
        self.before_complete = before_complete
        self.after_complete = after_complete
        if before_complete:
            self.lo = b""
        else:
            self.lo = self.before[0][0] if self.before else prefix
        if after_complete:
            self.hi = END_OF_KEYS
        else:
            self.hi = self.after[-1][0] + b"\x00" if self.after else self.prefix_end

    def known_items(self, data):
        """The known keys in order: [(key, value)]."""
        return self.before + sorted(data.items()) + self.after

    def resolve(self, data, key, or_equal, offset, keys=None):
        """Resolves the selector (key, or_equal, offset) over the view `data` (the keys under
        the prefix): the last key below `key` (or equal, with or_equal), then `offset` keys
        on; before the first key gives "", past the last gives "\\xff". Returns UNKNOWN
        when that depends on keys the test does not know."""
        if keys is None:
            keys = [k for k, _ in self.known_items(data)]
        if key == b"" and offset <= 0:
            return b""
        if key >= END_OF_KEYS:
            if offset >= 1:
                return END_OF_KEYS
            if not self.after_complete:
                return UNKNOWN
            rank = len(keys)
        else:
            if key < self.lo:
                return UNKNOWN
            if (or_equal and key >= self.hi) or (not or_equal and key > self.hi):
                return UNKNOWN
            rank = bisect.bisect_right(keys, key) if or_equal else bisect.bisect_left(keys, key)
        j = rank - 1 + offset
        if j < 0:
            return b"" if self.before_complete else UNKNOWN
        if j >= len(keys):
            return END_OF_KEYS if self.after_complete else UNKNOWN
        return keys[j]

    def range_rows(self, data, begin, end, limit, reverse):
        """Rows of a get_range between the selectors begin and end ((key, or_equal,
        offset)); limit 0 is no limit. Returns [(key, value)] or UNKNOWN."""
        items = self.known_items(data)
        keys = [k for k, _ in items]
        b = self.resolve(data, *begin, keys=keys)
        e = self.resolve(data, *end, keys=keys)
        if e is not UNKNOWN and e == b"":
            return []
        if b is not UNKNOWN and b >= END_OF_KEYS:
            return []
        if b is UNKNOWN or e is UNKNOWN:
            return UNKNOWN
        if b >= e:
            return []
        if b < self.lo or e > self.hi:
            return UNKNOWN  # the range reaches keys the test does not know
        rows = items[bisect.bisect_left(keys, b):bisect.bisect_left(keys, e)]
        if reverse:
            rows = rows[::-1]
        if limit:
            rows = rows[:limit]
        return rows

    def get(self, data, key):
        """The value of `key` in the view (None: absent), or UNKNOWN."""
        if self.prefix <= key < self.prefix_end:
            return data.get(key)
        if not (self.lo <= key < self.hi):
            return UNKNOWN
        for k, v in self.before + self.after:
            if k == key:
                return v
        return None


class TxnModel:
    """A transaction: its read snapshot (fixed when it first needs a read version) and its
    mutations, with read-your-writes (optionally disabled, or disabled for snapshot reads)."""

    def __init__(self, db_data, base=None, ryw=True, snapshot_ryw=True):
        self._db_data = db_data  # callable returning the committed data at this moment
        self.base = base
        self.ryw = ryw
        self.snapshot_ryw = snapshot_ryw
        self.mutations = []
        self._view = None

    def fix_read_version(self):
        if self.base is None:
            self.base = dict(self._db_data())

    def add(self, mutation):
        self.mutations.append(mutation)
        self._view = None

    def view(self, snapshot=False):
        self.fix_read_version()
        if not self.ryw or (snapshot and not self.snapshot_ryw):
            return self.base
        if self._view is None:
            v = dict(self.base)
            for m in self.mutations:
                apply_mutation(v, m)
            self._view = v
        return self._view

    def current(self):
        """The transaction's data with all its writes, whatever its read options."""
        self.fix_read_version()
        if not self.ryw or not self.snapshot_ryw:
            v = dict(self.base)
            for m in self.mutations:
                apply_mutation(v, m)
            return v
        return self.view()

    def has_writes(self):
        return bool(self.mutations)

    def reset(self):
        self.base = None
        self.mutations = []
        self._view = None
