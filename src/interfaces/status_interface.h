#pragma once

// What every strata-server answers from the moment it starts listening, at well-known
// tokens, so that a tool knowing only an address can ask whether the process is alive
// and what it is.

#include <cstdint>
#include <string>

#include "rpc/request_stream.h"

namespace strata {

struct PingReply {
  // The server's clock when it answered, for a rough round-trip view.
  double server_time = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(server_time);
  }
};

struct PingRequest {
  ReplyPromise<PingReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

struct ServerStatusReply {
  // A JSON document describing the process (see docs/architecture.md).
  std::string json;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(json);
  }
};

struct ServerStatusRequest {
  ReplyPromise<ServerStatusReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

inline RequestStream<PingRequest> ping_stream_at(NetworkAddress address) {
  return RequestStream<PingRequest>(Endpoint{address, well_known::server_ping});
}

inline RequestStream<ServerStatusRequest> status_stream_at(NetworkAddress address) {
  return RequestStream<ServerStatusRequest>(Endpoint{address, well_known::server_status});
}

}  // namespace strata
