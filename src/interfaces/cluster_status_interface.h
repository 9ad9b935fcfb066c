#pragma once

// The cluster status document, answered by the cluster controller at a well-known token of
// its process (the first coordinator), so that a client or tool knowing only the cluster
// file can ask how the whole cluster is doing. The document's schema is in
// docs/status-json.md; a process's own document is ServerStatusReply
// (interfaces/status_interface.h).

#include <string>

#include "rpc/request_stream.h"

namespace strata {

struct ClusterStatusReply {
  // A JSON document, FoundationDB's `status json` shape (docs/status-json.md).
  std::string json;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(json);
  }
};

// Answered once the controller has asked every process it knows for its own status (each
// with a short timeout): within about cluster_status_process_timeout_s, even when
// processes are down.
struct ClusterStatusRequest {
  ReplyPromise<ClusterStatusReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

inline RequestStream<ClusterStatusRequest> cluster_status_stream_at(NetworkAddress address) {
  return RequestStream<ClusterStatusRequest>(Endpoint{address, well_known::cluster_status});
}

}  // namespace strata
