#pragma once

// The resolver of one generation: resolves commit batches strictly in version order
// (each batch names the version before it) with a ConflictSet whose window is the MVCC
// window. Answers to recent batches are kept, so a proxy that retries a batch gets the
// same decisions. The resolver of the system keys also keeps the shard map changes each
// commit proxy has not yet been handed (see resolver_interface.h). Runs until cancelled.

#include <cstdint>

#include "interfaces/resolver_interface.h"
#include "runtime/future.h"

namespace strata {

ResolverInterface make_resolver_interface(UID id);

struct ResolverOptions {
  uint64_t epoch = 0;
  Version start_version = 0;
  // The key range it decides; the one holding the system keys relays shard map changes.
  KeyRange range;
  int commit_proxies = 1;
};

Future<Void> run_resolver(ResolverInterface interface, ResolverOptions options);

}  // namespace strata
