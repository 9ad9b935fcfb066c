#!/usr/bin/env bash
# Installs what Strata needs to build and test on Debian 12, and nothing that is already
# there. Safe to run again and again. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential   # make, libc headers, binutils
  cmake             # 3.25 on Debian 12
  ninja-build
  pkg-config
  clang             # the compiler: GCC 12 miscompiles coroutines
  libclang-rt-14-dev  # sanitizer and libFuzzer runtimes for clang
  googletest        # GoogleTest and GoogleMock sources
  libgtest-dev
  libgmock-dev
  libbenchmark-dev  # Google Benchmark, for strata-microbench
  libxxhash-dev     # checksums on the wire and on disk
  librocksdb-dev    # the rocksdb storage engine
  libjemalloc-dev   # the allocator of the server and the tools
  libedit-dev       # line editing, history and completion in the strata shell
  nlohmann-json3-dev  # JSON parsing (header-only): the strata shell reads the status document
  redis-tools       # redis-cli and redis-benchmark: strata-redis's tests and benchmarks
  python3-redis     # a second Redis client library for strata-redis's tests
  tcl               # Redis's own test suite runs against strata-redis (tests/redis/)
  dpkg-dev          # apt-get source, which fetches that suite from Debian's redis package
)

# Node.js and npm run the FoundationDB binding conformance suite (the npm package
# foundationdb against libfdb_c.so). A machine that has them from elsewhere keeps them.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (or install sudo)" >&2; exit 1; }
  run_as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -q
"${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
