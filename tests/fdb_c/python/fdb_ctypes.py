"""A thin ctypes binding of FoundationDB's C API (API version 730), standard library only.

Only what the tests need: API version selection, the network thread, a database, tenants,
transactions and their futures. Every call that can fail raises FDBError with
the library's error code; futures are always destroyed before a call returns.
"""

import ctypes
import threading

API_VERSION = 730

# Streaming modes (fdb_c_options.g.h).
STREAMING_MODE_WANT_ALL = -2
STREAMING_MODE_ITERATOR = -1
STREAMING_MODE_EXACT = 0
STREAMING_MODE_SMALL = 1
STREAMING_MODE_MEDIUM = 2
STREAMING_MODE_LARGE = 3
STREAMING_MODE_SERIAL = 4

# Mutation types.
MUTATION_ADD = 2
MUTATION_BIT_AND = 6
MUTATION_BIT_OR = 7
MUTATION_BIT_XOR = 8
MUTATION_APPEND_IF_FITS = 9
MUTATION_MAX = 12
MUTATION_MIN = 13
MUTATION_SET_VERSIONSTAMPED_KEY = 14
MUTATION_SET_VERSIONSTAMPED_VALUE = 15
MUTATION_BYTE_MIN = 16
MUTATION_BYTE_MAX = 17
MUTATION_COMPARE_AND_CLEAR = 20

CONFLICT_RANGE_READ = 0
CONFLICT_RANGE_WRITE = 1

# Transaction options used by the test.
TR_OPTION_NEXT_WRITE_NO_WRITE_CONFLICT_RANGE = 30
TR_OPTION_READ_YOUR_WRITES_DISABLE = 51
TR_OPTION_ACCESS_SYSTEM_KEYS = 301
TR_OPTION_READ_SYSTEM_KEYS = 302
TR_OPTION_RAW_ACCESS = 303
TR_OPTION_TIMEOUT = 500
TR_OPTION_SNAPSHOT_RYW_ENABLE = 600
TR_OPTION_SNAPSHOT_RYW_DISABLE = 601
TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES = 714

ERROR_PREDICATE_RETRYABLE = 50000
ERROR_PREDICATE_MAYBE_COMMITTED = 50001
ERROR_PREDICATE_RETRYABLE_NOT_COMMITTED = 50002


class FDBError(Exception):
    """An error code returned by the library (0 is never raised)."""

    def __init__(self, code, description=""):
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description


class _Key(ctypes.Structure):
    # FDBKey: {const uint8_t* key; int key_length;} packed to 4 bytes.
    _pack_ = 4
    _fields_ = [("key", ctypes.c_void_p), ("key_length", ctypes.c_int)]


class _KeyValue(ctypes.Structure):
    # FDBKeyValue: {key, key_length, value, value_length} packed to 4 bytes.
    _pack_ = 4
    _fields_ = [
        ("key", ctypes.c_void_p),
        ("key_length", ctypes.c_int),
        ("value", ctypes.c_void_p),
        ("value_length", ctypes.c_int),
    ]


if ctypes.sizeof(ctypes.c_void_p) == 8:
    assert ctypes.sizeof(_KeyValue) == 24, ctypes.sizeof(_KeyValue)
    assert ctypes.sizeof(_Key) == 12, ctypes.sizeof(_Key)


_P = ctypes.c_void_p
_B = ctypes.c_char_p  # bytes with an explicit length: embedded NULs are fine
_I = ctypes.c_int
_I64 = ctypes.c_int64

_SIGNATURES = {
    "fdb_get_error": (ctypes.c_char_p, [_I]),
    "fdb_error_predicate": (_I, [_I, _I]),
    "fdb_select_api_version_impl": (_I, [_I, _I]),
    "fdb_get_max_api_version": (_I, []),
    "fdb_setup_network": (_I, []),
    "fdb_run_network": (_I, []),
    "fdb_stop_network": (_I, []),
    "fdb_future_cancel": (None, [_P]),
    "fdb_future_destroy": (None, [_P]),
    "fdb_future_block_until_ready": (_I, [_P]),
    "fdb_future_is_ready": (_I, [_P]),
    "fdb_future_get_error": (_I, [_P]),
    "fdb_future_get_int64": (_I, [_P, ctypes.POINTER(_I64)]),
    "fdb_future_get_key": (_I, [_P, ctypes.POINTER(_P), ctypes.POINTER(_I)]),
    "fdb_future_get_value": (_I, [_P, ctypes.POINTER(_I), ctypes.POINTER(_P), ctypes.POINTER(_I)]),
    "fdb_future_get_keyvalue_array": (
        _I,
        [_P, ctypes.POINTER(ctypes.POINTER(_KeyValue)), ctypes.POINTER(_I), ctypes.POINTER(_I)],
    ),
    "fdb_create_database": (_I, [ctypes.c_char_p, ctypes.POINTER(_P)]),
    "fdb_database_destroy": (None, [_P]),
    "fdb_database_create_transaction": (_I, [_P, ctypes.POINTER(_P)]),
    "fdb_database_open_tenant": (_I, [_P, _B, _I, ctypes.POINTER(_P)]),
    "fdb_tenant_create_transaction": (_I, [_P, ctypes.POINTER(_P)]),
    "fdb_tenant_get_id": (_P, [_P]),
    "fdb_tenant_destroy": (None, [_P]),
    "fdb_transaction_destroy": (None, [_P]),
    "fdb_transaction_cancel": (None, [_P]),
    "fdb_transaction_set_option": (_I, [_P, _I, _B, _I]),
    "fdb_transaction_set_read_version": (None, [_P, _I64]),
    "fdb_transaction_get_read_version": (_P, [_P]),
    "fdb_transaction_get": (_P, [_P, _B, _I, _I]),
    "fdb_transaction_get_key": (_P, [_P, _B, _I, _I, _I, _I]),
    "fdb_transaction_get_range": (_P, [_P, _B, _I, _I, _I, _B, _I, _I, _I, _I, _I, _I, _I, _I, _I]),
    "fdb_transaction_set": (None, [_P, _B, _I, _B, _I]),
    "fdb_transaction_atomic_op": (None, [_P, _B, _I, _B, _I, _I]),
    "fdb_transaction_clear": (None, [_P, _B, _I]),
    "fdb_transaction_clear_range": (None, [_P, _B, _I, _B, _I]),
    "fdb_transaction_commit": (_P, [_P]),
    "fdb_transaction_get_committed_version": (_I, [_P, ctypes.POINTER(_I64)]),
    "fdb_transaction_get_approximate_size": (_P, [_P]),
    "fdb_transaction_get_versionstamp": (_P, [_P]),
    "fdb_transaction_on_error": (_P, [_P, _I]),
    "fdb_transaction_reset": (None, [_P]),
    "fdb_transaction_add_conflict_range": (_I, [_P, _B, _I, _B, _I, _I]),
}


class Library:
    """The loaded libfdb_c.so, with API version 730 selected and the network running."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(self.lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        self._check(self.lib.fdb_select_api_version_impl(API_VERSION, API_VERSION))
        self._check(self.lib.fdb_setup_network())
        self._network_error = None
        self._thread = threading.Thread(target=self._run_network, name="fdb-network", daemon=True)
        self._thread.start()

    def _run_network(self):
        err = self.lib.fdb_run_network()
        if err:
            self._network_error = err

    def error_name(self, code):
        text = self.lib.fdb_get_error(code)
        return text.decode("utf-8", "replace") if text else ""

    def error_predicate(self, predicate, code):
        return bool(self.lib.fdb_error_predicate(predicate, code))

    def _check(self, code):
        if code:
            raise FDBError(code, self.error_name(code))

    def open_database(self, cluster_file):
        out = _P()
        arg = cluster_file.encode() if cluster_file is not None else None
        self._check(self.lib.fdb_create_database(arg, ctypes.byref(out)))
        return Database(self, out)

    def stop(self):
        self._check(self.lib.fdb_stop_network())
        self._thread.join(timeout=30)


class Database:
    def __init__(self, library, handle):
        self.library = library
        self.handle = handle

    def create_transaction(self):
        out = _P()
        self.library._check(self.library.lib.fdb_database_create_transaction(self.handle, ctypes.byref(out)))
        return Transaction(self.library, out)

    def open_tenant(self, name):
        out = _P()
        self.library._check(self.library.lib.fdb_database_open_tenant(self.handle, name, len(name), ctypes.byref(out)))
        return Tenant(self.library, out)

    def destroy(self):
        if self.handle:
            self.library.lib.fdb_database_destroy(self.handle)
            self.handle = None


class _Futures:
    """Blocking on a handle's futures and reading their results."""

    def __init__(self, library, handle):
        self.library = library
        self.lib = library.lib
        self.handle = handle

    def _wait(self, future):
        """Blocks until the future is ready; returns it, or destroys it and raises."""
        if not future:
            raise FDBError(-1, "null future")
        self.lib.fdb_future_block_until_ready(future)
        err = self.lib.fdb_future_get_error(future)
        if err:
            self.lib.fdb_future_destroy(future)
            raise FDBError(err, self.library.error_name(err))
        return future

    def _void(self, future):
        self.lib.fdb_future_destroy(self._wait(future))

    def _int64(self, future):
        f = self._wait(future)
        try:
            out = _I64()
            self.library._check(self.lib.fdb_future_get_int64(f, ctypes.byref(out)))
            return out.value
        finally:
            self.lib.fdb_future_destroy(f)

    def _key(self, future):
        f = self._wait(future)
        try:
            ptr, length = _P(), _I()
            self.library._check(self.lib.fdb_future_get_key(f, ctypes.byref(ptr), ctypes.byref(length)))
            return ctypes.string_at(ptr, length.value) if length.value else b""
        finally:
            self.lib.fdb_future_destroy(f)


class Tenant(_Futures):
    def create_transaction(self):
        out = _P()
        self.library._check(self.lib.fdb_tenant_create_transaction(self.handle, ctypes.byref(out)))
        return Transaction(self.library, out)

    def get_id(self):
        return self._int64(self.lib.fdb_tenant_get_id(self.handle))

    def destroy(self):
        if self.handle:
            self.lib.fdb_tenant_destroy(self.handle)
            self.handle = None


class Transaction(_Futures):
    """A transaction handle. Reads block on their future and return plain Python values."""

    # -- options and versions ---------------------------------------------------------
    def set_option(self, option, value=None):
        if value is None:
            r = self.lib.fdb_transaction_set_option(self.handle, option, None, 0)
        else:
            if isinstance(value, int):
                value = value.to_bytes(8, "little", signed=True)
            r = self.lib.fdb_transaction_set_option(self.handle, option, value, len(value))
        self.library._check(r)

    def set_read_version(self, version):
        self.lib.fdb_transaction_set_read_version(self.handle, version)

    def get_read_version(self):
        return self._int64(self.lib.fdb_transaction_get_read_version(self.handle))

    def get_committed_version(self):
        out = _I64()
        self.library._check(self.lib.fdb_transaction_get_committed_version(self.handle, ctypes.byref(out)))
        return out.value

    def get_approximate_size(self):
        return self._int64(self.lib.fdb_transaction_get_approximate_size(self.handle))

    # -- reads ------------------------------------------------------------------------
    def get(self, key, snapshot=False):
        f = self._wait(self.lib.fdb_transaction_get(self.handle, key, len(key), int(snapshot)))
        try:
            present, ptr, length = _I(), _P(), _I()
            self.library._check(
                self.lib.fdb_future_get_value(f, ctypes.byref(present), ctypes.byref(ptr), ctypes.byref(length))
            )
            if not present.value:
                return None
            return ctypes.string_at(ptr, length.value) if length.value else b""
        finally:
            self.lib.fdb_future_destroy(f)

    def get_key(self, key, or_equal, offset, snapshot=False):
        return self._key(
            self.lib.fdb_transaction_get_key(self.handle, key, len(key), int(or_equal), offset, int(snapshot))
        )

    def get_range_page(self, begin, end, limit, target_bytes, mode, iteration, snapshot, reverse):
        """One fdb_transaction_get_range call. begin/end are (key, or_equal, offset).
        Returns ([(key, value)], more)."""
        bk, bo, boff = begin
        ek, eo, eoff = end
        f = self._wait(
            self.lib.fdb_transaction_get_range(
                self.handle, bk, len(bk), int(bo), boff, ek, len(ek), int(eo), eoff,
                limit, target_bytes, mode, iteration, int(snapshot), int(reverse),
            )
        )
        try:
            kvs = ctypes.POINTER(_KeyValue)()
            count, more = _I(), _I()
            self.library._check(
                self.lib.fdb_future_get_keyvalue_array(f, ctypes.byref(kvs), ctypes.byref(count), ctypes.byref(more))
            )
            rows = []
            for i in range(count.value):
                kv = kvs[i]
                k = ctypes.string_at(kv.key, kv.key_length) if kv.key_length else b""
                v = ctypes.string_at(kv.value, kv.value_length) if kv.value_length else b""
                rows.append((k, v))
            return rows, bool(more.value)
        finally:
            self.lib.fdb_future_destroy(f)

    # -- writes -----------------------------------------------------------------------
    def set(self, key, value):
        self.lib.fdb_transaction_set(self.handle, key, len(key), value, len(value))

    def clear(self, key):
        self.lib.fdb_transaction_clear(self.handle, key, len(key))

    def clear_range(self, begin, end):
        self.lib.fdb_transaction_clear_range(self.handle, begin, len(begin), end, len(end))

    def atomic_op(self, key, param, op_type):
        self.lib.fdb_transaction_atomic_op(self.handle, key, len(key), param, len(param), op_type)

    def add_conflict_range(self, begin, end, kind):
        self.library._check(
            self.lib.fdb_transaction_add_conflict_range(self.handle, begin, len(begin), end, len(end), kind)
        )

    # -- lifecycle --------------------------------------------------------------------
    def commit(self):
        self._void(self.lib.fdb_transaction_commit(self.handle))

    def get_versionstamp_future(self):
        """Returns the raw future; call versionstamp_result() on it after the commit."""
        return self.lib.fdb_transaction_get_versionstamp(self.handle)

    def versionstamp_result(self, future):
        return self._key(future)

    def on_error(self, code):
        self._void(self.lib.fdb_transaction_on_error(self.handle, code))

    def reset(self):
        self.lib.fdb_transaction_reset(self.handle)

    def cancel(self):
        self.lib.fdb_transaction_cancel(self.handle)

    def destroy(self):
        if self.handle:
            self.lib.fdb_transaction_destroy(self.handle)
            self.handle = None
