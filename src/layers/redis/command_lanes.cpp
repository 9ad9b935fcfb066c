#include "layers/redis/command_lanes.h"

#include <functional>

#include "layers/redis/command_table.h"
#include "layers/redis/redis_knobs.h"
#include "runtime/assert.h"
#include "runtime/combinators.h"

namespace strata::redis {

std::string_view lane_key(const std::vector<std::string>& arguments) {
  const CommandSpec* spec = CommandTable::instance().find(arguments[0]);
  if (!spec || spec->first_key <= 0 || static_cast<size_t>(spec->first_key) >= arguments.size())
    return "";
  return arguments[static_cast<size_t>(spec->first_key)];
}

CommandLanes::CommandLanes(Instance& instance) : instance_(instance) {
  const int64_t lanes = std::max<int64_t>(1, redis_knobs().command_lanes);
  for (int64_t i = 0; i < lanes; ++i)
    lanes_.emplace_back();
}

Future<Void> CommandLanes::run() {
  std::vector<Future<Void>> running;
  for (Lane& lane : lanes_)
    running.push_back(run_lane(lane));
  co_await when_all(std::move(running));
}

Future<ExecutionResult> CommandLanes::submit(Session session, Execution execution,
                                             std::string_view key) {
  STRATA_ASSERT_MSG(!execution.multi && !execution.watched && !execution.may_block,
                    "only plain commands share transactions");
  Lane& lane = lanes_[std::hash<std::string_view>()(key) % lanes_.size()];
  Waiting waiting{ExecutionPart{std::move(session), std::move(execution)}, {}};
  Future<ExecutionResult> done = waiting.done.get_future();
  lane.waiting.push_back(std::move(waiting));
  lane.wake.set(lane.wake.get() + 1);
  return done;
}

Future<Void> CommandLanes::run_lane(Lane& lane) {
  while (true) {
    if (lane.waiting.empty()) co_await lane.wake.on_change();
    // Everything that waited, up to a transaction's worth of commands.
    std::vector<Waiting> taken;
    int64_t commands = 0;
    while (!lane.waiting.empty() &&
           (taken.empty() ||
            commands + static_cast<int64_t>(lane.waiting.front().part.execution.commands.size()) <=
                redis_knobs().lane_commands_max)) {
      commands += static_cast<int64_t>(lane.waiting.front().part.execution.commands.size());
      taken.push_back(std::move(lane.waiting.front()));
      lane.waiting.pop_front();
    }
    std::vector<ExecutionPart> parts;
    for (const Waiting& waiting : taken)
      parts.push_back(waiting.part);
    std::vector<ExecutionResult> results = co_await execute_together(instance_, std::move(parts));
    if (taken.size() > 1 && results.front().failed) {
      for (size_t i = 0; i < taken.size(); ++i)
        results[i] = co_await execute(instance_, taken[i].part.session, taken[i].part.execution);
    }
    for (size_t i = 0; i < taken.size(); ++i)
      taken[i].done.send(std::move(results[i]));
  }
}

}  // namespace strata::redis
