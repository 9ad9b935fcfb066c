#pragma once

// What FDBDatabase and FDBTransaction handles hold. The native objects (Database,
// Transaction) live on the network thread: they are created, used and dropped there only.
// What other threads read (option defaults, the committed version) is guarded or atomic.

#include <atomic>
#include <memory>
#include <mutex>  // lint: allows thread because applications call in from their threads
#include <optional>
#include <string>
#include <vector>

#include "fdb_c/network.h"
#include "fdb_c/options.h"
#include "strata/database.h"
#include "strata/transaction.h"

namespace strata::fdb_c {

// The database options that become defaults of its transactions, shared with them.
class TransactionDefaults {
 public:
  void add(const TransactionOption& option) {
    std::lock_guard lock(mutex_);
    options_.push_back(option);
  }
  std::vector<TransactionOption> options() const {
    std::lock_guard lock(mutex_);
    return options_;
  }

 private:
  mutable std::mutex mutex_;  // lint: allows thread because applications call from theirs
  std::vector<TransactionOption> options_;
};

// A transaction's state behind its handle, shared with its operations in flight (a commit
// outlives fdb_transaction_destroy as FoundationDB's does).
struct TransactionCore {
  // Network thread only.
  std::optional<Transaction> transaction;
  // An error from a call that returns nothing (set, clear, ...): FoundationDB reports it
  // from the transaction's next operation and its commit, until a reset.
  std::optional<Error> deferred_error;
  std::shared_ptr<TransactionDefaults> defaults;
  // Any thread; set before the handle is returned: a tenant's transaction (which refuses
  // the options that give raw access at once, as FoundationDB's does).
  bool in_tenant = false;

  // Any thread: the version of the last successful commit (-1: none, or read-only).
  std::atomic<int64_t> committed_version{-1};
};

// Applies the database's default options to a new or reset transaction (network thread).
void apply_default_options(TransactionCore& core);

}  // namespace strata::fdb_c

struct FDB_database {
  strata::fdb_c::CountedHandle counted;
  // Network thread only.
  strata::Database database;
  // Any thread. Set before the handle is returned, then only read.
  std::string cluster_file;
  strata::ClusterConnectionString connection;
  std::shared_ptr<strata::fdb_c::TransactionDefaults> defaults =
      std::make_shared<strata::fdb_c::TransactionDefaults>();
};

struct FDB_transaction {
  strata::fdb_c::CountedHandle counted;
  std::shared_ptr<strata::fdb_c::TransactionCore> core =
      std::make_shared<strata::fdb_c::TransactionCore>();
};

struct FDB_tenant {
  strata::fdb_c::CountedHandle counted;
  // Network thread only: set by the task fdb_database_open_tenant posts, which runs before
  // any other task naming the handle.
  std::optional<strata::Tenant> tenant;
  // The database's, for the transactions the tenant creates.
  std::shared_ptr<strata::fdb_c::TransactionDefaults> defaults;
};
