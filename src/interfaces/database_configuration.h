#pragma once

// The database's configuration as FoundationDB's `configure` sets it: how many logs,
// commit proxies, read-version proxies and resolvers each generation recruits, and the
// storage engine. It lives in the cluster's core state (with the coordinators); a change
// takes effect through a recovery.

#include <string>
#include <vector>

namespace strata {

struct DatabaseConfiguration {
  int logs = 1;
  int commit_proxies = 1;
  int grv_proxies = 1;
  int resolvers = 1;
  // memory or rocksdb: the engine of storage servers created from now on.
  std::string storage_engine = "memory";

  // "logs=1 commit_proxies=1 grv_proxies=1 resolvers=1 storage_engine=memory"
  std::string to_string() const;
  friend bool operator==(const DatabaseConfiguration&, const DatabaseConfiguration&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(logs, commit_proxies, grv_proxies, resolvers, storage_engine);
  }
};

// The most of each role a configuration may ask for.
constexpr int configuration_role_count_max = 64;

// Applies FoundationDB-style words to `configuration`: `logs=N`, `commit_proxies=N`,
// `grv_proxies=N`, `resolvers=N`, `proxies=N` (both kinds of proxy), and a storage engine
// (`memory`, `rocksdb`, `ssd` meaning rocksdb, or `storage_engine=NAME`). Throws
// client_invalid_operation naming the word that is wrong and why.
DatabaseConfiguration apply_configuration_words(DatabaseConfiguration configuration,
                                                const std::vector<std::string>& words);

}  // namespace strata
