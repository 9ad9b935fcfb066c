#pragma once

// The resolver of one generation: resolves commit batches strictly in version order
// (each batch names the version before it) with a ConflictSet whose window is the MVCC
// window. Answers to recent batches are kept, so a proxy that retries a batch gets the
// same decisions. Runs until cancelled.

#include <cstdint>

#include "interfaces/resolver_interface.h"
#include "runtime/future.h"

namespace strata {

ResolverInterface make_resolver_interface(UID id);

Future<Void> run_resolver(ResolverInterface interface, uint64_t epoch, Version start_version);

}  // namespace strata
