#pragma once

// Clients' commands merged into shared transactions: every plain command (outside MULTI,
// not blocking, not under WATCH) goes to the lane of its first key, and each lane runs one
// transaction at a time, taking in it every execution that waited meanwhile
// (execute_together). So commands on one key from many clients of an instance are not
// transactions that conflict with each other and retry (a hot list under LPUSH, a counter
// under INCR), but one transaction after another, each holding all of them; and many
// clients' commands share one commit. A lane runs its first execution at once, so a
// command alone waits for nothing.
//
// A client sends its next command only once the last one was answered, so its commands
// still run in the order it sent them, whichever lanes they go to. A transaction that
// fails for good (a limit of Strata's) runs its executions again one by one, so that only
// the one over the limit fails.

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "layers/redis/command_executor.h"
#include "runtime/future.h"
#include "runtime/notified.h"

namespace strata::redis {

class CommandLanes {
 public:
  explicit CommandLanes(Instance& instance);
  CommandLanes(const CommandLanes&) = delete;
  CommandLanes& operator=(const CommandLanes&) = delete;

  // Runs the lanes; never returns (cancel it to stop them).
  Future<Void> run();

  // Runs `execution` (plain commands) for a client whose session is `session`, in the lane
  // of `key` (the first command's first key; any for a command without keys).
  Future<ExecutionResult> submit(Session session, Execution execution, std::string_view key);

 private:
  struct Waiting {
    ExecutionPart part;
    Promise<ExecutionResult> done;
  };
  struct Lane {
    std::deque<Waiting> waiting;
    AsyncVar<int64_t> wake;
  };
  Future<Void> run_lane(Lane& lane);

  Instance& instance_;
  std::deque<Lane> lanes_;
};

// The key a command's lane is chosen by: its first key (COMMAND's first key), or "" when
// it names none.
std::string_view lane_key(const std::vector<std::string>& arguments);

}  // namespace strata::redis
