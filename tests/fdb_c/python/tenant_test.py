#!/usr/bin/env python3
"""Tenants through FoundationDB's C API, over ctypes: what FoundationDB's own tenant tests
(the Python binding's tenant_tests.py, run by its unit tests and the binding tester's
`scripted` test) check, written for this suite.

    tenant_test.py --cluster-file F --library PATH --shell PATH

Starts with the cluster's tenant_mode disabled (as a new cluster is): creating a tenant
fails with tenants_disabled. Then allows tenants with the shell's
`configure tenant_mode=optional_experimental` and checks creation, listing, isolation,
deletion and the management module's idempotent retries. Exits with status 1 on the first
check that fails, naming it.
"""

import argparse
import base64
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fdb_ctypes as F  # noqa: E402

MAYBE_COMMITTED = 1021
INVALID_OPTION = 2007
TENANT_NOT_FOUND = 2131
TENANT_ALREADY_EXISTS = 2132
TENANT_NOT_EMPTY = 2133
INVALID_TENANT_NAME = 2134
TENANTS_DISABLED = 2136

TENANT_MAP = b"\xff\xff/management/tenant/map/"
TENANT_MAP_END = b"\xff\xff/management/tenant/map0"


def run(owner, body):
    """body(tr) in a retry loop on a transaction of `owner` (a database or a tenant)."""
    tr = owner.create_transaction()
    try:
        while True:
            try:
                result = body(tr)
                tr.commit()
                return result
            except F.FDBError as e:
                tr.on_error(e.code)  # raises what it does not retry
    finally:
        tr.destroy()


def expect_error(code, call, what):
    try:
        call()
    except F.FDBError as e:
        if e.code != code:
            raise AssertionError(f"{what}: expected error {code}, got {e.code} ({e})")
        return
    raise AssertionError(f"{what}: expected error {code}, got none")


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def change_tenant(db, name, create, checked=None, fail_after_check=False):
    """Creates or deletes tenant `name` through the management module, checking first that
    it does not (does) exist. `checked` records that the check was made: a retry after a
    commit whose outcome is unknown must not make it again, since the first attempt may
    have done the change (so the call is idempotent). fail_after_check makes the first
    attempt fail with maybe_committed right after the check."""
    checked = [] if checked is None else checked
    key = TENANT_MAP + name

    def body(tr):
        tr.set_option(F.TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES)
        if not checked:
            exists = tr.get(key) is not None
            checked.append(True)
            if fail_after_check:
                raise F.FDBError(MAYBE_COMMITTED)
            if create and exists:
                raise F.FDBError(TENANT_ALREADY_EXISTS)
            if not create and not exists:
                raise F.FDBError(TENANT_NOT_FOUND)
        if create:
            tr.set(key, b"")
        else:
            tr.clear(key)

    run(db, body)


def list_tenants(db, begin, end, limit):
    def body(tr):
        tr.set_option(F.TR_OPTION_RAW_ACCESS)
        rows, _ = tr.get_range_page((TENANT_MAP + begin, False, 1), (TENANT_MAP + end, False, 1),
                                    limit, 0, F.STREAMING_MODE_WANT_ALL, 1, False, False)
        return [(k[len(TENANT_MAP):], v) for k, v in rows]

    return run(db, body)


def get(owner, key):
    return run(owner, lambda tr: tr.get(key))


def set_key(owner, key, value):
    run(owner, lambda tr: tr.set(key, value))


def clear_all(owner):
    run(owner, lambda tr: tr.clear_range(b"", b"\xff"))


def prefix_of(entry):
    return base64.b64decode(json.loads(entry)["prefix"]["base64"])


def remove_if_present(db, name):
    tenant = db.open_tenant(name)
    try:
        clear_all(tenant)
        change_tenant(db, name, create=False)
    except F.FDBError as e:
        if e.code != TENANT_NOT_FOUND:
            raise
    finally:
        tenant.destroy()


def test_disabled(db):
    expect_error(TENANTS_DISABLED, lambda: change_tenant(db, b"early", create=True),
                 "creating a tenant while tenant_mode is disabled")
    early = db.open_tenant(b"early")
    expect_error(TENANTS_DISABLED, lambda: get(early, b"k"), "using a tenant while disabled")
    early.destroy()
    # Clearing the (empty) map is fine whatever the mode.
    def clear_map(tr):
        tr.set_option(F.TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES)
        tr.clear_range(TENANT_MAP, TENANT_MAP_END)
    run(db, clear_map)


def test_binary_name(db):
    name = b"\x01test\x00\x02level\x00\x15\x03!\xbf\xf3\xd7\n=p\xa4\x02str\x00"
    remove_if_present(db, name)
    change_tenant(db, name, create=True)
    tenant = db.open_tenant(name)
    set_key(tenant, b"foo", b"bar")
    check(get(tenant, b"foo") == b"bar", "a tenant with a binary name keeps its key")
    run(tenant, lambda tr: tr.clear(b"foo"))
    change_tenant(db, name, create=False)
    tenant.destroy()
    expect_error(INVALID_TENANT_NAME, lambda: db.open_tenant(b"\xffbad"), "a name beginning with \\xff")


def test_operations(db):
    for name in (b"tenant1", b"tenant2"):
        remove_if_present(db, name)
    change_tenant(db, b"tenant1", create=True)
    change_tenant(db, b"tenant2", create=True)
    listed = list_tenants(db, b"a", b"z", 10)
    check([name for name, _ in listed] == [b"tenant1", b"tenant2"], f"the tenant list: {listed}")
    entry1 = json.loads(listed[0][1])
    check(entry1["name"]["base64"] == base64.b64encode(b"tenant1").decode(), "the entry's name")
    check(entry1["id"] > 0 and entry1["lock_state"] == "unlocked", f"the entry: {entry1}")
    p1, p2 = prefix_of(listed[0][1]), prefix_of(listed[1][1])
    check(len(p1) == 8 and p1 != p2, "each tenant has its own 8-byte prefix")
    check(int.from_bytes(p1, "big") == entry1["id"], "the prefix is the id, big-endian")
    check(list_tenants(db, b"a", b"z", 1) == listed[:1], "the list's limit")
    check(prefix_of(get(db, TENANT_MAP + b"tenant2")) == p2, "one entry read alone")
    check(get(db, TENANT_MAP + b"missing") is None, "a missing tenant has no entry")

    t1, t2 = db.open_tenant(b"tenant1"), db.open_tenant(b"tenant2")
    check(t1.get_id() == entry1["id"], "fdb_tenant_get_id")
    set_key(db, b"tenant_test_key", b"no_tenant")
    set_key(t1, b"tenant_test_key", b"tenant1")
    set_key(t2, b"tenant_test_key", b"tenant2")
    check(get(t1, b"tenant_test_key") == b"tenant1", "the tenant's own value")
    check(get(db, p1 + b"tenant_test_key") == b"tenant1", "the value under the prefix")
    check(get(t2, b"tenant_test_key") == b"tenant2", "the other tenant's value")
    check(get(db, p2 + b"tenant_test_key") == b"tenant2", "the other value under its prefix")
    check(get(db, b"tenant_test_key") == b"no_tenant", "the key outside any tenant")

    # A range read in a tenant returns its keys without the prefix, and only them.
    rows = run(t1, lambda tr: tr.get_range_page((b"", False, 1), (b"\xff", False, 1), 0, 0,
                                                F.STREAMING_MODE_WANT_ALL, 1, False, False)[0])
    check(rows == [(b"tenant_test_key", b"tenant1")], f"the tenant's range: {rows}")
    check(run(t1, lambda tr: tr.get_key(b"", False, 0)) == b"", "a selector before the tenant's keys")
    check(run(t1, lambda tr: tr.get_key(b"tenant_test_key", True, 1)) == b"\xff",
          "a selector past the tenant's keys")

    tr = t1.create_transaction()
    expect_error(INVALID_OPTION, lambda: tr.set_option(F.TR_OPTION_RAW_ACCESS), "raw_access in a tenant")
    tr.destroy()

    expect_error(TENANT_NOT_EMPTY, lambda: change_tenant(db, b"tenant1", create=False),
                 "deleting a tenant that holds keys")
    clear_all(t1)
    check(get(t1, b"tenant_test_key") is None, "the tenant's key after its clear")
    check(get(db, p1 + b"tenant_test_key") is None, "the key under the prefix after the clear")
    check(get(t2, b"tenant_test_key") == b"tenant2", "the other tenant after the clear")
    check(get(db, b"tenant_test_key") == b"no_tenant", "the key outside any tenant after the clear")

    change_tenant(db, b"tenant1", create=False)
    expect_error(TENANT_NOT_FOUND, lambda: get(t1, b"tenant_test_key"), "reading a deleted tenant")
    clear_all(t2)
    change_tenant(db, b"tenant2", create=False)
    check(get(db, p2 + b"tenant_test_key") is None, "nothing left under the deleted prefix")
    check(get(db, b"tenant_test_key") == b"no_tenant", "the key outside any tenant at the end")
    run(db, lambda tr: tr.clear(b"tenant_test_key"))
    for tenant in (t1, t2):
        tenant.destroy()


def test_retries(db):
    for name in (b"tenant1", b"tenant2"):
        remove_if_present(db, name)
    # The check is made once: after a maybe_committed the retry creates without it (and
    # creating an existing tenant changes nothing, so the retry succeeds either way).
    change_tenant(db, b"tenant1", create=True, fail_after_check=True)
    expect_error(TENANT_ALREADY_EXISTS, lambda: change_tenant(db, b"tenant1", create=True),
                 "creating a tenant twice")
    # A creation that made its check before another created the tenant still commits, or
    # conflicts and retries: never an error.
    checked = []
    tr = db.create_transaction()
    tr.set_option(F.TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES)
    check(tr.get(TENANT_MAP + b"tenant2") is None, "tenant2 does not exist yet")
    checked.append(True)
    change_tenant(db, b"tenant2", create=True)
    tr.set(TENANT_MAP + b"tenant2", b"")
    try:
        tr.commit()
    except F.FDBError as e:
        tr.on_error(e.code)
    tr.destroy()
    check(len(list_tenants(db, b"tenant", b"tenant3", 10)) == 2, "both tenants exist once")

    change_tenant(db, b"tenant1", create=False, fail_after_check=True)
    expect_error(TENANT_NOT_FOUND, lambda: change_tenant(db, b"tenant1", create=False),
                 "deleting a tenant twice")
    tr = db.create_transaction()
    tr.set_option(F.TR_OPTION_SPECIAL_KEY_SPACE_ENABLE_WRITES)
    check(tr.get(TENANT_MAP + b"tenant2") is not None, "tenant2 exists")
    change_tenant(db, b"tenant2", create=False)
    tr.clear(TENANT_MAP + b"tenant2")
    try:
        tr.commit()
    except F.FDBError as e:
        tr.on_error(e.code)
    tr.destroy()
    check(list_tenants(db, b"tenant", b"tenant3", 10) == [], "no tenant left")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster-file", required=True)
    parser.add_argument("--library", required=True)
    parser.add_argument("--shell", required=True, help="the strata shell, for `configure`")
    args = parser.parse_args()
    library = F.Library(args.library)
    db = library.open_database(args.cluster_file)
    test_disabled(db)
    subprocess.run([args.shell, "-C", args.cluster_file, "--exec",
                    "configure tenant_mode=optional_experimental"], check=True)
    for test in (test_binary_name, test_operations, test_retries):
        test(db)
        print(f"{test.__name__}: passed")
    db.destroy()
    library.stop()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
