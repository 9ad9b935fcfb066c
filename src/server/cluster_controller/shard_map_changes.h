#pragma once

// The shard map's changes between two versions, read back from a generation's logs: the
// commit proxies tag every \xff/keyServers/ mutation with txs_tag as well, and every log
// holds every tag. A recovery reads them up to its recovery version to learn the map the
// new generation starts from; the controller reads them up to the known committed version
// to record the map in the core state, and then pops them.

#include <optional>
#include <vector>

#include "interfaces/log_interface.h"
#include "interfaces/types.h"
#include "runtime/future.h"

namespace strata {

struct ShardMapChanges {
  // In version order.
  std::vector<Mutation> mutations;
  // Every change at or below this version is in `mutations`.
  Version through = 0;
};

// The changes after `after`: up to `through` when given (every log must hold it), else up
// to the known committed version of the first answer. Moves to another log when one fails;
// fails with no_more_servers when none of them answers.
Future<ShardMapChanges> read_shard_map_changes(std::vector<LogInterface> logs, Version after,
                                               std::optional<Version> through);

}  // namespace strata
