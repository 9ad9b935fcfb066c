#pragma once

// The consistency check: every copy of every shard must hold the same keys and values at
// the same version. It walks the shard map from the commit proxies, reads each shard from
// every member of its team at one read version, straight from that member (never through
// load balancing), and compares them key by key. A member that does not answer is
// reported as unreachable, not as a difference; a shard no member answers for is a
// difference (its data cannot be read).

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/future.h"
#include "strata/database.h"

namespace strata {

struct ConsistencyReport {
  int shards = 0;
  // Copies read in full and compared.
  int copies_compared = 0;
  // Rows read from the first copy of each shard.
  int64_t rows = 0;
  // "server <id> at <address> for shard [...]: <error>".
  std::vector<std::string> unreachable;
  // What differs, one line each: copies (naming the shard, the servers and the first key
  // found), or the shard map against the servers' \xff/serverKeys/ rows and the server list.
  std::vector<std::string> differences;
};

// `member_timeout_s` bounds each request to a member (a paused process counts as
// unreachable after it).
Future<ConsistencyReport> check_consistency(Database database, double member_timeout_s);

}  // namespace strata
