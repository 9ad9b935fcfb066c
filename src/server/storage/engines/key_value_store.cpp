#include "server/storage/engines/key_value_store.h"

#include "runtime/environment.h"
#include "runtime/error.h"
#include "server/storage/engines/memory_store.h"
#include "server/storage/engines/rocksdb_store.h"

namespace strata {

std::string_view storage_engine_name(StorageEngine engine) {
  switch (engine) {
    case StorageEngine::memory:
      return "memory";
    case StorageEngine::rocksdb:
      return "rocksdb";
  }
  STRATA_UNREACHABLE("a storage engine without a name");
}

StorageEngine parse_storage_engine(std::string_view name) {
  if (name == "memory") return StorageEngine::memory;
  if (name == "rocksdb") return StorageEngine::rocksdb;
  throw Error(ErrorCode::invalid_option_value,
              "storage engine '" + std::string(name) + "' is neither memory nor rocksdb");
}

Future<std::unique_ptr<KeyValueStore>> open_key_value_store(StorageEngine engine,
                                                            std::string directory) {
  switch (engine) {
    case StorageEngine::memory:
      co_return co_await MemoryStore::open(std::move(directory));
    case StorageEngine::rocksdb:
      // RocksDB does its own file I/O and threading, which the simulator can neither see
      // nor crash: a simulated process must use the memory engine.
      if (env().is_simulated()) {
        throw Error(ErrorCode::unsupported_operation,
                    "the rocksdb storage engine uses real files and cannot run in simulation "
                    "(store " +
                        directory + "); use the memory engine");
      }
      co_return co_await open_rocksdb_store(std::move(directory));
  }
  STRATA_UNREACHABLE("an unknown storage engine");
}

}  // namespace strata
