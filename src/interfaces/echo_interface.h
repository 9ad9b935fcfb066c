#pragma once

// A request that is answered with its own payload. Simulation workloads and transport
// tests use it to exercise RPC without any role behind it.

#include <cstdint>
#include <string>

#include "rpc/request_stream.h"

namespace strata {

struct EchoReply {
  uint64_t id = 0;
  std::string payload;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, payload);
  }
};

struct EchoRequest {
  uint64_t id = 0;
  std::string payload;
  // Answer only after this many seconds (to keep requests in flight across faults).
  double delay_s = 0;
  ReplyPromise<EchoReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, payload, delay_s, reply);
  }
};

}  // namespace strata
