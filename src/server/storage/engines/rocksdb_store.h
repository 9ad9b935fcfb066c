#pragma once

// The rocksdb storage engine: Debian's librocksdb (7.8) keeping the store in DIRECTORY.
//
// Real backend only. RocksDB does its own file I/O and runs its own threads, which the
// simulator can neither see nor crash, so open_key_value_store refuses this engine in a
// simulation with unsupported_operation, and open_rocksdb_store asserts that it runs on
// the real backend.
//
// Every RocksDB call that may touch the disk (open, reads, the commit's write) runs on
// the environment's blocking pool through run_blocking, never on the event loop. Reads
// first ask RocksDB for what is in memory only (kBlockCacheTier), which never touches
// the disk, on the loop; only a read whose data is not in memory goes to the pool.
// set and clear never suspend: they go into a WriteBatch (clear as a DeleteRange).
// commit() writes the batch with sync = true, so it is atomic and durable when it
// completes; commits apply in the order they were called, and once one fails every
// later one fails with the same error (their changes may build on the lost one).
// read_value and read_range read the database: they see every completed commit, never
// the batch not yet committed.
//
// Ownership: the store owns the database handle; RocksDB calls in flight share it.
// Destroying the store drops the uncommitted batch and closes the database on the
// calling thread (RocksDB waits for its background work to stop; nothing needs writing,
// since every commit was synced), so the directory can be opened again at once; if a
// call is still in flight, the database closes when that call completes instead.
//
// Errors name the directory: disk_full (RocksDB's NoSpace), file_corrupt (Corruption),
// lock_file_failure (its LOCK file is held by another open database), io_error (any
// other failure).
//
// Options (rocksdb_store.cpp): create_if_missing; rocksdb_background_jobs background
// threads for flushes and compactions (the machines are small); a block-based table with
// an LRU block cache of rocksdb_block_cache_bytes holding index and filter blocks too,
// and a 10-bits-per-key bloom filter so point reads of missing keys rarely touch the disk;
// RocksDB's own info log limited to a few small files.

#include <memory>
#include <string>

#include "runtime/future.h"
#include "server/storage/engines/key_value_store.h"

namespace strata {

// Opens (creating it if needed) the RocksDB store in `directory`. Fails as the header
// says; the calling code must not run in simulation.
Future<std::unique_ptr<KeyValueStore>> open_rocksdb_store(std::string directory);

}  // namespace strata
