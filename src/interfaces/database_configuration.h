#pragma once

// The database's configuration as FoundationDB's `configure` sets it: the redundancy mode
// (how many copies of every log record and every key, each in a distinct zone), how many
// logs, commit proxies, read-version proxies and resolvers each generation recruits, and
// the storage engine. It lives in the cluster's core state (with the coordinators); a change
// takes effect through a recovery.

#include <string>
#include <string_view>
#include <vector>

namespace strata {

struct DatabaseConfiguration {
  // Copies of every log record and every key, in distinct zones: 1 (single), 2 (double) or
  // 3 (triple).
  int replication = 1;
  int logs = 1;
  int commit_proxies = 1;
  int grv_proxies = 1;
  int resolvers = 1;
  // memory or rocksdb: the engine of storage servers created from now on.
  std::string storage_engine = "memory";

  // "single logs=1 commit_proxies=1 grv_proxies=1 resolvers=1 storage_engine=memory"
  std::string to_string() const;
  // The logs a generation recruits: the count asked for, and at least one per copy.
  int log_count() const { return logs > replication ? logs : replication; }
  friend bool operator==(const DatabaseConfiguration&, const DatabaseConfiguration&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(replication, logs, commit_proxies, grv_proxies, resolvers, storage_engine);
  }
};

// The most of each role a configuration may ask for.
constexpr int configuration_role_count_max = 64;
// The most copies a redundancy mode keeps (triple).
constexpr int replication_max = 3;

// FoundationDB's name of the redundancy mode keeping `replication` copies: single, double,
// triple.
std::string_view redundancy_mode_name(int replication);
// The copies the redundancy mode named `name` keeps (the inverse of redundancy_mode_name);
// 0 for a name that is not a mode.
int replication_of_mode(std::string_view name);

// Applies FoundationDB-style words to `configuration`: a redundancy mode (`single`,
// `double`, `triple`, or `redundancy_mode=NAME`), `logs=N`, `commit_proxies=N`,
// `grv_proxies=N`, `resolvers=N`, `proxies=N` (both kinds of proxy), and a storage engine
// (`memory`, `rocksdb`, `ssd` meaning rocksdb, or `storage_engine=NAME`). Throws
// client_invalid_operation naming the word that is wrong and why.
DatabaseConfiguration apply_configuration_words(DatabaseConfiguration configuration,
                                                const std::vector<std::string>& words);

}  // namespace strata
