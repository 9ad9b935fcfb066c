#!/usr/bin/env bash
# Configures and builds one flavour of Strata with clang.
#   scripts/build.sh release   optimized, for running (build/)
#   scripts/build.sh test      sanitizers (ASan, UBSan), optimized, with tests (build-test/)
#   scripts/build.sh fuzz      libFuzzer targets (build-fuzz/)
# Extra arguments name targets to build (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-release}"
shift || true
case "$flavour" in
  release) directory=build; options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_BUILD_TESTS=OFF) ;;
  test) directory=build-test
        # STRATA_SIM_OPTIMIZED (environment): an optimized strata-sim of this tree that runs
        # the simulation seeds, the sanitizers then run a sample (tests/CMakeLists.txt).
        options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_SANITIZE=ON -DSTRATA_HEADER_CHECK=ON
                 -DSTRATA_BUILD_BENCHMARKS=OFF -DSTRATA_SIM_OPTIMIZED="${STRATA_SIM_OPTIMIZED:-}") ;;
  fuzz) directory=build-fuzz
        options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_FUZZ=ON -DSTRATA_BUILD_TESTS=OFF
                 -DSTRATA_BUILD_BENCHMARKS=OFF) ;;
  *) echo "usage: scripts/build.sh release|test|fuzz [target...]" >&2; exit 2 ;;
esac

CC=clang CXX=clang++ cmake -S . -B "$directory" -G Ninja "${options[@]}" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "$directory" -j "$(nproc)" --target "$@"
else
  cmake --build "$directory" -j "$(nproc)"
fi
