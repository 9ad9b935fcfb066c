#pragma once

// The sequencer of one generation: hands out commit versions and tracks the live
// committed version. Runs until cancelled; serves the streams of `interface` (created by
// the worker that recruits it).

#include <cstdint>

#include "interfaces/sequencer_interface.h"
#include "runtime/future.h"

namespace strata {

SequencerInterface make_sequencer_interface(UID id);

// `start_version` is the generation's first version, which its recovery made durable on
// every log: versions are handed out after it, never more than max_versions_in_flight past
// the newest committed one.
Future<Void> run_sequencer(SequencerInterface interface, uint64_t epoch, Version start_version);

}  // namespace strata
