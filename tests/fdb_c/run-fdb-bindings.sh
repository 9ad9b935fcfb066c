#!/usr/bin/env bash
# Runs FoundationDB's own binding tests against one real strata-server.
#
# Usage:
#   run-fdb-bindings.sh [FDB_SRC [NODE_FDB_SRC]]
#   FDB_SRC=/path/to/foundationdb NODE_FDB_SRC=/path/to/node-foundationdb run-fdb-bindings.sh
#
#   FDB_SRC       a source tree of apple/foundationdb (tested with tag 7.3.79): its
#                 bindings/python, bindings/bindingtester and fdbclient/vexillographer.
#   NODE_FDB_SRC  a source tree of josephg/node-foundationdb (the npm package's git
#                 source, tested with master 0dcc027). Optional when SKIP_NODE=1.
# The script fetches nothing itself: check the two trees out first (git clone /
# git archive). Arguments win over the environment variables of the same name.
#
# Other settings (environment):
#   BUILD_DIR     Strata build with src/fdb_c/libfdb_c.so, src/tools/strata-server and
#                 src/tools/strata (default: the repository's build/). Both are copied to a private
#                 folder at the start, so a rebuild during the run does not disturb it;
#                 when they are missing the script waits up to 10 minutes for them.
#   OUT_DIR       where logs and summary.txt go (default ./fdb-bindings-results-DATE)
#   NUM_OPS (2000), SEED (20250101), CONCURRENCY (4, for the extra concurrent
#   directory_hca run, with NUM_OPS/2 ops per thread): binding tester parameters.
#   BT_TESTER     binding tester tester name (default python3: known_testers.py's
#                 "python" runs tests/tester.py with `python`, "python3" with `python3`).
#   BT_TENANTS=0  keep the binding tester from generating tenant operations (--no-tenants).
#   NODE_TIMEOUT  seconds per node-foundationdb test file (default 300).
#   SKIP_PYTHON=1 / SKIP_NODE=1  leave out that half.
#   KEEP_WORK=1   keep the temporary folder (bindings copies, server data).
#
# What it does:
#   1. starts strata-server on a free loopback port with a fresh data folder and
#      cluster file (as run_conformance.sh does), waits until it serves reads, and
#      allows tenants (the shell's `configure tenant_mode=optional_experimental', as
#      FoundationDB's own test clusters are configured); the server is stopped (and the folder removed) however the script ends.
#      If the server dies during a step it is noted and started again.
#   2. Python binding: copies bindings/python and bindings/bindingtester, generates
#      fdb/fdboptions.py from fdb.options (with fdbclient/vexillographer/vexillographer.py
#      when the tree has it; 7.3 has only the C# vexillographer, so otherwise with an
#      equivalent generator embedded here), writes fdb/apiversion.py (730) and puts a
#      symlink fdb/libfdb_c.so -> our library (the binding loads libfdb_c.so from its
#      own folder first; its libfdb_c.so.pth is removed). Steps:
#        py-unit_tests                 tests/unit_tests.py -C CLUSTER, unmodified (stops
#                                      at the first failing test)
#        py-unit_tests-each            the same tests, one at a time (a failure does not
#                                      hide the rest); cancellation ones excluded
#        py-cancellation_timeout_tests every test_* of cancellation_timeout_tests.py, one
#                                      at a time (the file has no main of its own)
#        bt-scripted, bt-api, bt-directory, bt-directory_hca, bt-directory_hca-cN
#                                      bindingtester.py, unmodified
#      After each binding tester run, the FDB errors the tester pushed on its stack are
#      counted by code (informational: many are expected API errors).
#   3. node-foundationdb: copies the tree, `npm install --ignore-scripts`, builds its
#      addon with node-gyp against Strata's headers (include/foundationdb) and library
#      (rpath to the private copy), and runs each test/*.ts with mocha + ts-node, one
#      file at a time, with FDB_CLUSTER_FILE (the tests call fdb.open() with no cluster
#      file, and use API version 630, fixed in test/util.ts).
#   4. prints a summary table (also OUT_DIR/summary.txt); exits 1 if any step failed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

FDB_SRC="${1:-${FDB_SRC:-}}"
NODE_FDB_SRC="${2:-${NODE_FDB_SRC:-}}"
BUILD_DIR="${BUILD_DIR:-$repo/build}"
OUT_DIR="${OUT_DIR:-$PWD/fdb-bindings-results-$(date +%Y%m%d-%H%M%S)}"
NUM_OPS="${NUM_OPS:-2000}"
SEED="${SEED:-20250101}"
CONCURRENCY="${CONCURRENCY:-4}"
BT_TESTER="${BT_TESTER:-python3}"
BT_TENANTS="${BT_TENANTS:-1}"
NODE_TIMEOUT="${NODE_TIMEOUT:-300}"
SKIP_PYTHON="${SKIP_PYTHON:-0}"
SKIP_NODE="${SKIP_NODE:-0}"
KEEP_WORK="${KEEP_WORK:-0}"
API_VERSION=730
STEP_TIMEOUT=1200 # seconds, for every step but the node test files

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -n "$FDB_SRC" ] || { echo "FDB_SRC is not set" >&2; usage; }
[ -f "$FDB_SRC/bindings/python/fdb/impl.py" ] && [ -f "$FDB_SRC/bindings/bindingtester/bindingtester.py" ] &&
  [ -f "$FDB_SRC/fdbclient/vexillographer/fdb.options" ] ||
  { echo "$FDB_SRC is not a FoundationDB source tree (bindings/python, bindingtester, fdb.options)" >&2; exit 2; }
FDB_SRC="$(cd "$FDB_SRC" && pwd)"
if [ "$SKIP_NODE" != 1 ]; then
  [ -n "$NODE_FDB_SRC" ] || { echo "NODE_FDB_SRC is not set (or set SKIP_NODE=1)" >&2; usage; }
  [ -f "$NODE_FDB_SRC/package.json" ] && [ -f "$NODE_FDB_SRC/binding.gyp" ] ||
    { echo "$NODE_FDB_SRC is not a node-foundationdb source tree" >&2; exit 2; }
  NODE_FDB_SRC="$(cd "$NODE_FDB_SRC" && pwd)"
fi

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
work="$(mktemp -d -t strata-fdb-bindings.XXXXXX)"
server_pid=""
port=""

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  [ -f "$work/server.log" ] && cp "$work/server.log" "$OUT_DIR/server.log" || true
  if [ "$KEEP_WORK" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*"; }

# --- Strata binaries: wait for them (another engineer may be rebuilding), copy them.
lib_src="$BUILD_DIR/src/fdb_c/libfdb_c.so"
server_src="$BUILD_DIR/src/tools/strata-server"
shell_src="$BUILD_DIR/src/tools/strata"
for _ in $(seq 1 60); do
  [ -f "$lib_src" ] && [ -x "$server_src" ] && [ -x "$shell_src" ] && break
  log "waiting for $lib_src, $server_src and $shell_src ..."
  sleep 10
done
[ -f "$lib_src" ] && [ -x "$server_src" ] && [ -x "$shell_src" ] ||
  { echo "no Strata build in $BUILD_DIR" >&2; exit 1; }
mkdir -p "$work/lib" "$work/bin"
sleep 2 # let a build that just wrote them finish
cp -L "$lib_src" "$work/lib/libfdb_c.so"
cp -L "$server_src" "$work/bin/strata-server"
cp -L "$shell_src" "$work/bin/strata"
include_dir="$repo/include"
[ -f "$include_dir/foundationdb/fdb_c.h" ] || include_dir="$FDB_SRC/bindings/c"
{
  echo "date: $(date -Is)"
  echo "FDB_SRC: $FDB_SRC"
  echo "NODE_FDB_SRC: ${NODE_FDB_SRC:-}"
  echo "libfdb_c.so: $lib_src sha256 $(sha256sum "$work/lib/libfdb_c.so" | cut -d' ' -f1)"
  echo "strata-server: $server_src sha256 $(sha256sum "$work/bin/strata-server" | cut -d' ' -f1)"
  echo "headers: $include_dir/foundationdb"
  echo "strata git: $(git -C "$repo" rev-parse HEAD 2>/dev/null || echo '?')$(git -C "$repo" status --porcelain 2>/dev/null | grep -q . && echo ' (dirty)')"
  echo "NUM_OPS=$NUM_OPS SEED=$SEED CONCURRENCY=$CONCURRENCY BT_TESTER=$BT_TESTER BT_TENANTS=$BT_TENANTS"
} >"$OUT_DIR/env.txt"

# --- Helper programs (written here, run with the binding on PYTHONPATH).
mkdir -p "$work/tools"
cat >"$work/tools/gen_fdboptions.py" <<'EOF'
# Writes the Python binding's fdboptions.py from fdb.options, in the format of
# FoundationDB's vexillographer (python.cs): one dict per scope, hidden options left out.
# Usage: gen_fdboptions.py FDB_OPTIONS OUTPUT
import sys
import xml.etree.ElementTree as ET
types = {"None": "type(None)", "Int": "type(0)", "String": "type('')", "Bytes": "type(b'')"}
scopes = ["NetworkOption", "DatabaseOption", "TransactionOption", "StreamingMode",
          "MutationType", "ConflictRangeType", "ErrorPredicate"]
root = ET.parse(sys.argv[1]).getroot()
by_scope = {s: [] for s in scopes}
for scope in root.findall("Scope"):
    for o in scope.findall("Option"):
        if "python" in [x.strip() for x in (o.get("disableOn") or "").split(",")]:
            continue
        if o.get("hidden") == "true":
            continue
        desc = o.get("paramDescription")
        by_scope[scope.get("name")].append('    "%s" : (%s, "%s", %s, %s),' % (
            o.get("name"), o.get("code"), o.get("description", ""),
            types[o.get("paramType", "None")], "None" if desc is None else '"%s"' % desc))
with open(sys.argv[2], "w", newline="\n") as f:
    f.write("# FoundationDB Python API options, generated from fdb.options\n\nimport types\n\n")
    for s in scopes:
        f.write("%s = {\n%s\n}\n\n" % (s, "\n".join(by_scope[s])))
EOF
cat >"$work/tools/run_each.py" <<'EOF'
# Runs the test functions of one of FoundationDB's Python test modules one at a time,
# so that one failure does not hide the others. Usage:
#   run_each.py TESTS_DIR MODULE CLUSTER_FILE API_VERSION
# MODULE is unit_tests (the functions run_unit_tests calls, in its order, except those
# it imports from cancellation_timeout_tests) or cancellation_timeout_tests (every
# test_* function it defines). Prints PASS/FAIL per function and a RESULT line.
import inspect, re, sys, time, traceback
tests_dir, module, cluster_file, api = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path[:0] = [tests_dir]
import fdb
fdb.api_version(api)
print("libfdb_c loaded from %s" % fdb.impl._capi._name, flush=True)
mod = __import__(module)
if module == "unit_tests":
    names = re.findall(r'log\("(test_\w+)"\)', inspect.getsource(mod.run_unit_tests))
    names = [n for n in names if getattr(mod, n).__module__ != "cancellation_timeout_tests"]
else:
    names = [n for n, f in vars(mod).items()
             if n.startswith("test_") and inspect.isfunction(f) and f.__module__ == module]
db = fdb.open(cluster_file)
passed, failed = [], []
for name in names:
    fn = getattr(mod, name)
    args = [db] if len(inspect.signature(fn).parameters) == 1 else []
    start = time.time()
    print("=== RUN  %s" % name, flush=True)
    try:
        fn(*args)
        passed.append(name)
        print("--- PASS %s (%.1fs)" % (name, time.time() - start), flush=True)
    except BaseException as e:
        failed.append(name)
        if isinstance(e, fdb.FDBError):
            print("FDBError %d: %s" % (e.code, e.description), flush=True)
        traceback.print_exc(file=sys.stdout)
        print("--- FAIL %s (%.1fs)" % (name, time.time() - start), flush=True)
        if isinstance(e, KeyboardInterrupt):
            break
print("RESULT %s: %d passed, %d failed%s" % (module, len(passed), len(failed),
      (" (" + ", ".join(failed) + ")") if failed else ""))
sys.exit(1 if failed else 0)
EOF
cat >"$work/tools/bt_errors.py" <<'EOF'
# Counts the FDB errors the binding tester's tester pushed on its stack in the output
# subspace ('tester_output', ...) of the run just finished. Codes without a description
# are random values some tests push themselves and are left out.
# Usage: bt_errors.py CLUSTER_FILE
import collections, sys
import fdb, fdb.tuple
fdb.api_version(730)
db = fdb.open(sys.argv[1])
space = fdb.Subspace(("tester_output",))
counts, first, total = collections.Counter(), {}, 0
begin, end = space.range().start, space.range().stop
while True:
    kvs = db.get_range(begin, end, 1000)
    if not kvs:
        break
    for kv in kvs:
        total += 1
        try:
            value = fdb.tuple.unpack(kv.value)
            # LOG_STACK stores each item packed once more as a one-element tuple.
            if len(value) == 1 and isinstance(value[0], bytes):
                value = fdb.tuple.unpack(value[0])
        except Exception:
            continue
        if len(value) == 2 and value[0] == b"ERROR":
            code = int(value[1])
            if fdb.FDBError(code).description == b"Unknown error":
                continue
            counts[code] += 1
            first.setdefault(code, fdb.tuple.unpack(kv.key))
    begin = fdb.KeySelector.first_greater_than(kvs[-1].key)
print("tester output: %d entries" % total)
print("BT_ERRORS " + (" ".join("%dx%d" % (c, n) for c, n in sorted(counts.items())) or "none"))
for code, n in sorted(counts.items()):
    print("  %5d %-55s x%d  first at %r" % (code, fdb.FDBError(code).description.decode(), n, first[code]))
EOF

# --- The server.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cluster_file="$work/fdb.cluster"
start_server() {
  [ -n "$port" ] || port="$(free_port)"
  "$work/bin/strata-server" --listen "127.0.0.1:$port" --data "$work/data" \
    --cluster-file "$cluster_file" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    [ -s "$cluster_file" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; server_pid=""; return 1; }
    sleep 0.1
  done
  [ -s "$cluster_file" ] || { echo "strata-server wrote no cluster file" >&2; return 1; }
}
# Serves when a transaction can read; needs the Python binding (set up below).
wait_until_serving() {
  PYTHONPATH="$work/bindings/python" timeout 90 python3 - "$cluster_file" <<'EOF'
import sys, time
import fdb
fdb.api_version(730)
db = fdb.open(sys.argv[1])
deadline = time.time() + 60
while True:
    tr = db.create_transaction()
    tr.options.set_timeout(2000)
    try:
        tr.get(b"\x00ping").wait()
        break
    except fdb.FDBError as e:
        if time.time() > deadline:
            sys.exit("strata-server does not serve: %d %s" % (e.code, e.description))
        time.sleep(0.2)
EOF
}
server_notes=""
ensure_server() { # after a step: start the server again if it died
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then return 0; fi
  log "strata-server is not running after step $1 (see server.log); starting it again"
  server_notes="$server_notes strata-server died during $1;"
  server_pid=""
  start_server && wait_until_serving
}

# --- Steps and their results.
names=() statuses=() details=() durations=()
detail_of() { # NAME LOG: a one-line summary of what the step's log says
  local name="$1" f="$2" d=""
  case "$name" in
    py-unit_tests)
      d="$(grep -E '^(AssertionError|Exception|fdb\.impl\.FDBError|Unit tests failed)' "$f" | tail -1)"
      [ -n "$d" ] && d="stopped at $(grep -E '^test_' "$f" | tail -1): $d" ;;
    py-*)
      d="$(grep -E '^RESULT ' "$f" | sed 's/^RESULT [a-z_]*: //' | tail -1)" ;;
    bt-*)
      d="$(grep -oE 'had [0-9]+ incorrect result\(s\) and [0-9]+ error\(s\)' "$f" | tail -1)"
      [ -n "$d" ] || d="$(grep -E 'failed to complete|ERROR:|Error|Exception' "$f" | head -1)"
      local codes
      codes="$(grep -E '^BT_ERRORS ' "$f" | sed 's/^BT_ERRORS //' | tail -1)"
      [ -n "$codes" ] && d="$d; pushed errors: $codes" ;;
    node-npm-install|node-build) d="$(tail -1 "$f")" ;;
    node-*)
      local p fl pe
      p="$(grep -oE '[0-9]+ passing' "$f" | tail -1)"
      fl="$(grep -oE '[0-9]+ failing' "$f" | tail -1)"
      pe="$(grep -oE '[0-9]+ pending' "$f" | tail -1)"
      d="${p:-0 passing}, ${fl:-0 failing}${pe:+, $pe}" ;;
  esac
  echo "${d:0:160}"
}
failed_any=0
run_step() { # NAME TIMEOUT_S COMMAND...: runs it with its output in OUT_DIR/NAME.log
  local name="$1" limit="$2" rc status start
  shift 2
  log "== $name"
  start="$(date +%s)"
  set +e
  timeout -k 10 "$limit" "$@" >"$OUT_DIR/$name.log" 2>&1
  rc=$?
  set -e
  case "$rc" in
    0) status=PASS ;;
    124|137) status="TIMEOUT(${limit}s)"; failed_any=1 ;;
    *) status="FAIL(rc=$rc)"; failed_any=1 ;;
  esac
  names+=("$name"); statuses+=("$status"); durations+=("$(( $(date +%s) - start ))s")
  details+=("$(detail_of "$name" "$OUT_DIR/$name.log")")
  log "   $status ${details[-1]}"
  ensure_server "$name" || true
  return 0
}
skip_step() { # NAME REASON
  names+=("$1"); statuses+=("SKIP"); durations+=("-"); details+=("$2"); failed_any=1
  log "== $1: SKIP ($2)"
}

# --- Python binding.
mkdir -p "$work/bindings"
cp -r "$FDB_SRC/bindings/python" "$FDB_SRC/bindings/bindingtester" "$work/bindings/"
py="$work/bindings/python"
vex="$FDB_SRC/fdbclient/vexillographer/vexillographer.py"
if [ -f "$vex" ]; then
  python3 "$vex" "$FDB_SRC/fdbclient/vexillographer/fdb.options" python "$py/fdb/fdboptions.py"
else
  python3 "$work/tools/gen_fdboptions.py" "$FDB_SRC/fdbclient/vexillographer/fdb.options" "$py/fdb/fdboptions.py"
fi
echo "LATEST_API_VERSION = $API_VERSION" >"$py/fdb/apiversion.py"
rm -f "$py/fdb/libfdb_c.so.pth"
ln -sf "$work/lib/libfdb_c.so" "$py/fdb/libfdb_c.so"
export PYTHONPATH="$py"

start_server
wait_until_serving
"$work/bin/strata" -C "$cluster_file" --exec "configure tenant_mode=optional_experimental"
log "strata-server serves on 127.0.0.1:$port (cluster file: $(cat "$cluster_file"))"

if [ "$SKIP_PYTHON" != 1 ]; then
  tests="$py/tests"
  run_step py-unit_tests "$STEP_TIMEOUT" \
    bash -c 'cd "$1" && python3 unit_tests.py -C "$2" --verbose' _ "$tests" "$cluster_file"
  run_step py-unit_tests-each "$STEP_TIMEOUT" \
    python3 "$work/tools/run_each.py" "$tests" unit_tests "$cluster_file" "$API_VERSION"
  run_step py-cancellation_timeout_tests "$STEP_TIMEOUT" \
    python3 "$work/tools/run_each.py" "$tests" cancellation_timeout_tests "$cluster_file" "$API_VERSION"

  bt="$work/bindings/bindingtester/bindingtester.py"
  bt_common=(--cluster-file "$cluster_file" --timeout $((STEP_TIMEOUT - 60)))
  [ "$BT_TENANTS" = 1 ] || bt_common+=(--no-tenants)
  bt_step() { # NAME BINDINGTESTER_ARGS...: a binding tester run, then its error counts
    local name="$1"
    shift
    run_step "$name" "$STEP_TIMEOUT" bash -c '
      bt="$1" tester="$2" counter="$3" cf="$4"; shift 4
      python3 "$bt" "$tester" "$@"; rc=$?
      echo "--- errors the tester pushed on its stack (informational; by code)"
      python3 "$counter" "$cf" || true
      exit $rc' _ "$bt" "$BT_TESTER" "$work/tools/bt_errors.py" "$cluster_file" "$@" "${bt_common[@]}"
  }
  bt_step bt-scripted --test-name scripted
  bt_step bt-api --test-name api --num-ops "$NUM_OPS" --seed "$SEED" --api-version "$API_VERSION"
  bt_step bt-directory --test-name directory --num-ops "$NUM_OPS" --seed "$SEED" --api-version "$API_VERSION"
  bt_step bt-directory_hca --test-name directory_hca --num-ops "$NUM_OPS" --seed "$SEED" --api-version "$API_VERSION"
  bt_step "bt-directory_hca-c$CONCURRENCY" --test-name directory_hca --num-ops $((NUM_OPS / 2)) \
    --concurrency "$CONCURRENCY" --seed "$SEED" --api-version "$API_VERSION"
fi

# --- node-foundationdb.
if [ "$SKIP_NODE" != 1 ]; then
  nd="$work/node-foundationdb"
  mkdir -p "$nd"
  tar -C "$NODE_FDB_SRC" --exclude=./node_modules --exclude=./build --exclude=./dist -cf - . | tar -C "$nd" -xf -
  run_step node-npm-install "$STEP_TIMEOUT" \
    bash -c 'cd "$1" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error' _ "$nd"
  # node-gyp: the project's own if npm installed one, else the copy bundled with npm.
  gyp="$nd/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$gyp" ] || gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  # Node's own headers, so node-gyp needs not download them.
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  gyp_args=(rebuild -j 1)
  [ -f "$nodedir/include/node/node_api.h" ] && gyp_args+=(--nodedir="$nodedir")
  run_step node-build "$STEP_TIMEOUT" bash -c '
    cd "$1" && CXXFLAGS="-I$2" LDFLAGS="-L$3 -Wl,-rpath,$3" node "$4" "${@:5}" &&
    echo "--- addon links:" && ldd build/Release/fdblib.node | grep fdb_c &&
    ldd build/Release/fdblib.node | grep -q "$3/libfdb_c.so" && echo "addon built against $3/libfdb_c.so"' \
    _ "$nd" "$include_dir" "$work/lib" "$gyp" "${gyp_args[@]}"
  if [ "${statuses[-1]}" = PASS ]; then
    for f in "$nd"/test/*.ts; do
      grep -qE '^\s*it\(|\bit\(' "$f" || continue # helpers only (test/util.ts)
      run_step "node-$(basename "$f" .ts)" "$NODE_TIMEOUT" \
        env LD_LIBRARY_PATH="$work/lib" FDB_CLUSTER_FILE="$cluster_file" \
        bash -c 'cd "$1" && node node_modules/mocha/bin/mocha.js -r ts-node/register --exit "$2"' _ "$nd" "$f"
    done
  else
    skip_step node-tests "the addon did not build"
  fi
fi

# --- Summary.
{
  echo "FoundationDB binding tests against strata-server ($(date -Is))"
  echo "logs: $OUT_DIR"
  printf '%-32s %-15s %7s  %s\n' STEP RESULT TIME DETAIL
  for i in "${!names[@]}"; do
    printf '%-32s %-15s %7s  %s\n' "${names[$i]}" "${statuses[$i]}" "${durations[$i]}" "${details[$i]}"
  done
  [ -z "$server_notes" ] || echo "server:$server_notes"
} | tee "$OUT_DIR/summary.txt"
exit "$failed_any"
