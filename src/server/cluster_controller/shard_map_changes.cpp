#include "server/cluster_controller/shard_map_changes.h"

#include <algorithm>

#include "runtime/combinators.h"
#include "runtime/trace.h"
#include "server/server_knobs.h"

namespace strata {

Future<ShardMapChanges> read_shard_map_changes(std::vector<LogInterface> logs, Version after,
                                               std::optional<Version> through) {
  STRATA_ASSERT_MSG(!logs.empty(), "the shard map's changes need a log to read");
  const ServerKnobs& knobs = server_knobs();
  ShardMapChanges changes{{}, after};
  if (through && *through <= after) co_return changes;
  // Without `through`: up to the known committed version of the first answer, however many
  // answers that takes (a log serves the versions it spilled a page at a time).
  std::optional<Version> target = through;
  size_t choice = 0;
  size_t failures = 0;
  while (true) {
    const LogInterface& log = logs[choice % logs.size()];
    std::optional<LogPeekReply> reply;
    try {
      reply = co_await timeout_error(
          log.peek.get_reply(LogPeekRequest{txs_tag, changes.through + 1, {}}),
          knobs.failure_detection_timeout_s);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      TraceEvent(Severity::warn, "ShardMapChangesReadFailed").id(log.id).error(error);
    }
    if (!reply) {
      if (++failures >= 2 * logs.size()) {
        throw Error(ErrorCode::no_more_servers,
                    "no log of the generation answers for the shard map's changes");
      }
      ++choice;
      co_await delay(knobs.role_retry_delay_s);
      continue;
    }
    if (!target) target = std::max(after, reply->known_committed_version);
    for (VersionedMutations& versioned : reply->versions) {
      if (versioned.version > *target) break;
      for (Mutation& mutation : versioned.mutations)
        changes.mutations.push_back(std::move(mutation));
    }
    changes.through = std::max(changes.through, std::min(reply->end - 1, *target));
    if (changes.through >= *target) co_return changes;
  }
}

}  // namespace strata
