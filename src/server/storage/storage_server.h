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
// Generations: it pulls its tag from the generation of logs that holds the next version it
// needs (old generations while it catches up), and when a recovery ends a generation it
// drops what it applied from that generation past its end.
//
// Reads: a read at a version above the newest one applied waits up to
// storage_future_version_wait_s, then fails with future_version; below the window it
// fails with transaction_too_old (checked again after the engine answers, since the window
// may move meanwhile); a key outside the server's shards fails with wrong_shard_server.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"
#include "runtime/notified.h"
#include "server/storage/engines/key_value_store.h"

namespace strata {

StorageInterface make_storage_interface(UID id, Tag tag);

struct NewStorage {
  Tag tag = 0;
  // The generation whose recovery creates it: it takes and pops nothing until a ServerDBInfo
  // lists it.
  uint64_t epoch = 0;
  StorageEngine engine = StorageEngine::memory;
  // The key ranges it holds, and the system rows to keep of them (a new database's).
  std::vector<KeyRange> shards;
  std::vector<KeyValue> initial_rows;
  // Its first durable version (see InitializeStorageRequest::start_version).
  Version start_version = 0;
};

struct StorageServerOptions {
  UID id;
  // Where it keeps its files.
  std::string directory;
  // Set to create the server; unset to recover an existing one from its folder.
  std::optional<NewStorage> create;
};

struct StorageStarted {
  StorageInterface interface;
  // The version its engine holds durably (0 for a new one).
  Version durable_version = 0;
  // The generation it was created in.
  uint64_t epoch = 0;
};

// Opens (or creates) the server's engine and serves until cancelled, pulling from the
// logs that `db_info` names once it lists this server. `started` is answered once it
// serves. A folder whose creation never completed fails with
// storage_engine_not_initialized.
Future<Void> run_storage_server(StorageServerOptions options,
                                std::shared_ptr<AsyncVar<ServerDBInfo>> db_info,
                                Promise<StorageStarted> started);

}  // namespace strata
