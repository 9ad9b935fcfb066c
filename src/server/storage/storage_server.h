#pragma once

// A storage server: pulls its tag's mutations from the logs, keeps the last MVCC window of
// versions in memory (VersionedData) over a durable storage engine, and serves reads at
// any version inside the window.
//
// Durability: versions leave memory for the engine once they are older than the window
// and known committed on every log; the engine commit records the new durable version
// atomically with the data, and only then is the log popped. So a crash loses nothing
// that is not still on the logs, and the engine never holds a version a recovery could
// take back.
//
// Reads: a read at a version above the newest one applied waits up to
// storage_future_version_wait_s, then fails with future_version; below the window it
// fails with transaction_too_old (checked again after the engine answers, since the window
// may move meanwhile); a key outside the server's shards fails with wrong_shard_server.

#include <memory>
#include <string>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"
#include "server/storage/engines/key_value_store.h"

namespace strata {

StorageInterface make_storage_interface(UID id, Tag tag);

struct StorageServerOptions {
  UID id;
  Tag tag = 0;
  // Used when the server is new; an existing one keeps the engine it was created with.
  StorageEngine engine = StorageEngine::memory;
  // The key ranges it holds; used when the server is new.
  std::vector<KeyRange> shards;
  // Where it keeps its files.
  std::string directory;
};

// Opens (or recovers) the server's engine and serves `interface` until cancelled, pulling
// from the logs that `db_info` names. `started` receives its durable version once it is
// ready to serve.
Future<Void> run_storage_server(StorageInterface interface, StorageServerOptions options,
                                std::shared_ptr<AsyncVar<ServerDBInfo>> db_info,
                                Promise<InitializeStorageReply> started);

}  // namespace strata
