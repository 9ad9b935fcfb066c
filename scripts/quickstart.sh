#!/usr/bin/env bash
# Installs what is missing, builds Strata, and starts a single-node server in the
# foreground: 127.0.0.1:4500, data in ./strata-data, cluster file ./strata.cluster.
# Ctrl-C stops it cleanly. Arguments go to strata-server (see strata-server --help).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" release strata-server strata strata-sim strata-bench strata-redis fdb_c
exec "$root/build/src/tools/strata-server" "$@"
