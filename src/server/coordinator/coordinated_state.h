#pragma once

// The client side of the coordinators' generation registers: reads and writes the cluster's
// core state with a majority of them, Paxos-style. A read promises, at a majority, to refuse
// writes of older generations; a write succeeds only at the generation of the reader's own
// read, at a majority. So of two controllers racing, the one that read last can write and
// the other fails with coordinated_state_conflict; and since any two majorities share a
// coordinator, a read sees the newest value a write put at a majority.

#include <optional>
#include <string>
#include <vector>

#include "client/cluster_connection.h"
#include "interfaces/coordinator_interface.h"
#include "runtime/future.h"

namespace strata {

class CoordinatedState {
 public:
  explicit CoordinatedState(ClusterConnectionString connection);

  // Reads the register at a generation newer than any this object has seen. The value is
  // the one written at the newest generation among a majority of coordinators (nullopt:
  // never written). Fails with coordinated_state_conflict when a coordinator has promised a
  // newer generation or, after a write of ours, when someone else wrote since;
  // coordinators_changed (the detail is the new connection string) when they forward; and
  // timed_out naming the coordinators that did not answer when no majority does.
  Future<std::optional<std::string>> read();

  // Writes `value` at the generation of the last read (reading first if this object wrote
  // since). Fails like read().
  Future<Void> write(std::string value);

  // The distinct values the last read saw among the coordinators that answered, and those
  // that a coordinator which learned the register saw among the others.
  const std::vector<std::string>& values_seen() const { return values_seen_; }
  const ClusterConnectionString& connection() const { return connection_; }

 private:
  ClusterConnectionString connection_;
  std::string connection_text_;
  UniqueGeneration generation_;
  // The generations this object wrote at, or started to (a write cancelled part way may
  // still have reached a majority): the newest value may carry any of them.
  std::vector<UniqueGeneration> written_;
  bool may_write_ = false;
  uint64_t highest_counter_seen_ = 0;
  std::vector<std::string> values_seen_;
};

// Fails with coordinators_changed carrying `forward` (a connection string) as its detail.
[[noreturn]] void throw_coordinators_changed(const std::string& forward);

// The majority of a coordinator set of `count`.
inline size_t coordinator_majority(size_t count) {
  return count / 2 + 1;
}

}  // namespace strata
