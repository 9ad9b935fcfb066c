#pragma once

// The data distributor: a singleton the cluster controller recruits once the database is
// recovered, and again elsewhere whenever it fails. It keeps every shard on a full team of
// live storage servers in distinct zones (moving the shards of a server that is gone for
// longer than dd_failed_storage_s to others) and then has the controller remove that
// server. It talks to the database as a client (the shard map is in \xff/keyServers/) and
// to the controller through RemoveStorageServerRequest.

#include <string>

#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"
#include "runtime/uid.h"

namespace strata {

struct DataDistributorInterface {
  UID id;
  NetworkAddress address;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, wait_failure);
  }
};

// Starts the distributor of generation `epoch`, reaching the database through the
// coordinators of `connection`, keeping `replication` copies of every shard (the
// configuration's; a change of it starts a new distributor). A repeated request gets the
// same distributor.
struct InitializeDataDistributorRequest {
  uint64_t epoch = 0;
  std::string connection;
  int replication = 1;
  ReplyPromise<DataDistributorInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, connection, replication, reply);
  }
};

// Asks the controller to drop storage server `id` from the database: it must hold no key
// (no shard of the map names it, as the controller last recorded the map; otherwise this
// fails with operation_failed, and the distributor asks again later). The controller then
// forgets it in the core state, the logs let go of its tag, and its worker deletes its
// folder if it ever returns.
struct RemoveStorageServerRequest {
  UID id;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, reply);
  }
};

inline RequestStream<RemoveStorageServerRequest> remove_storage_server_stream_at(
    NetworkAddress address) {
  return RequestStream<RemoveStorageServerRequest>(
      Endpoint{address, well_known::remove_storage_server});
}

}  // namespace strata
