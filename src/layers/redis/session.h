#pragma once

// What a Redis connection carries from one command to the next: the protocol it speaks,
// its database, its name, whether it authenticated. A transaction's attempt works on a
// copy, kept only when the attempt commits (SELECT inside MULTI, retried).

#include <cstdint>
#include <string>

namespace strata::redis {

struct Session {
  uint64_t id = 0;
  // RESP2 or RESP3 (HELLO).
  int protocol = 2;
  // SELECT: 0 to databases - 1.
  int64_t db = 0;
  // CLIENT SETNAME.
  std::string name;
  bool authenticated = true;
};

// Redis's fixed count of databases (its "databases" setting).
inline constexpr int64_t database_count = 16;

}  // namespace strata::redis
