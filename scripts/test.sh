#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with AddressSanitizer
# and UndefinedBehaviorSanitizer, runs every test (unit, simulation seeds with a determinism
# check on an optimized build and a sample under the sanitizers, real multi-process tests,
# lint), then builds and runs the fuzzers for a bounded number of inputs. Between the two,
# the unmodified npm package foundationdb runs its conformance suite against libfdb_c.so.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"

"$root/scripts/install-deps.sh"

echo "== build (optimized simulator)"
# The simulation seeds run optimized (several times faster, the same events); a sample of
# each spec's seeds runs under the sanitizers too.
"$root/scripts/build.sh" release strata-sim
echo "== build (sanitizers)"
STRATA_SIM_OPTIMIZED="$root/build/src/tools/strata-sim" "$root/scripts/build.sh" test
echo "== tests"
ctest --test-dir build-test --output-on-failure -j "$jobs"

echo "== FoundationDB bindings against libfdb_c.so"
# Node.js cannot load a library built with the sanitizers: the npm package's suite uses a
# plain build of libfdb_c.so (in build/), against the server built above.
"$root/scripts/build.sh" release fdb_c fdb_c_conformance_program
"$root/tests/fdb_c/run_conformance.sh" "$root/build" "$root/build-test/src/tools/strata-server"

echo "== build (fuzzers)"
# Only the fuzz targets (every src/**/NAME_fuzz.cpp) and what they link.
mapfile -t fuzz_targets < <(find "$root/src" -name '*_fuzz.cpp' -exec basename {} .cpp \; | sort)
"$root/scripts/build.sh" fuzz "${fuzz_targets[@]}"
echo "== fuzzers"
ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -R '^fuzz_'

echo "== all tests passed"
