#pragma once

// The shard map: which storage servers hold which keys. It lives in the database, in
// FoundationDB's layout, and changes only through transactions:
//
//   \xff/keyServers/<begin>         -> ShardTeams of the shard from <begin> to the next key
//   \xff/keyServers/\xff\xff        -> (empty) the end of the map
//   \xff/serverKeys/<id>/<begin>    -> "1" from <begin> the server holds keys, "" it does not
//   \xff/serverList/<id>            -> StorageServerRecord: where the server is
//
// A shard's `src` team holds it and serves reads; while the shard moves, its `dest` team
// also receives every new mutation and fetches what came before (a shard is readable on
// dest only once the move finishes, when dest becomes src). The commit proxies keep the
// map in memory and apply each committed change to \xff/keyServers/ at its version, in
// version order: mutations are tagged for src and dest of the map as of their version, and
// each storage server that gains or loses keys is told so at that version by a private
// mutation (a ShardAssignment). The serverKeys rows are written by the same transactions
// for whoever wants each server's view; nothing acts on them.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/locality.h"
#include "interfaces/log_interface.h"
#include "interfaces/types.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

inline const std::string key_servers_prefix = system_keys_begin + "/keyServers/";
inline const std::string key_servers_end = strinc(key_servers_prefix);
inline const std::string server_keys_prefix = system_keys_begin + "/serverKeys/";
inline const std::string server_keys_end = strinc(server_keys_prefix);
inline const std::string server_list_prefix = system_keys_begin + "/serverList/";
inline const std::string server_list_end = strinc(server_list_prefix);
// Who may move shards: the owner (a random id) written by the one mover at a time. A move
// reads it in every transaction, so a new owner makes older movers fail with
// movekeys_conflict.
inline const std::string move_keys_lock_key = system_keys_begin + "/moveKeysLock";
// FoundationDB's switch for the data distributor: "0" stops it (it moves nothing and leaves
// the move lock alone), absent or "1" lets it run.
inline const std::string data_distribution_mode_key = system_keys_begin + "/dataDistributionMode";
// The values of serverKeys rows.
inline const std::string server_keys_true("1");
inline const std::string server_keys_false;

inline std::string key_servers_key(std::string_view key) {
  return key_servers_prefix + std::string(key);
}
std::string server_keys_key(const UID& server, std::string_view key);
std::string server_list_key(const UID& server);

// A storage server, as \xff/serverList/ records it (its endpoints derive from its id).
struct StorageServerRecord {
  UID id;
  Tag tag = 0;
  NetworkAddress address;
  Locality locality;

  friend bool operator==(const StorageServerRecord&, const StorageServerRecord&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, tag, address, locality);
  }
};

struct ShardTeams {
  std::vector<UID> src;
  // Empty unless the shard is moving.
  std::vector<UID> dest;

  // Every server that must receive the shard's mutations.
  std::vector<UID> all() const;
  friend bool operator==(const ShardTeams&, const ShardTeams&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(src, dest);
  }
};

std::string encode_shard_teams(const ShardTeams& teams);
// Throws client_invalid_operation when `value` is not a shard map value.
ShardTeams decode_shard_teams(std::string_view value);

struct ShardMapEntry {
  KeyRange range;
  ShardTeams teams;

  friend bool operator==(const ShardMapEntry&, const ShardMapEntry&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, teams);
  }
};

// What one change to the map means for one storage server: from this version on it holds
// `range` (and fetches it from `sources`, the servers that held it), or no longer does.
struct ShardChange {
  UID server;
  KeyRange range;
  bool owned = false;
  std::vector<UID> sources;

  friend bool operator==(const ShardChange&, const ShardChange&) = default;
};

// The map over the whole key space ["", \xff\xff), as consecutive shards.
class ShardMap {
 public:
  ShardMap() = default;
  // From consecutive entries covering the key space; asserts that they do.
  explicit ShardMap(const std::vector<ShardMapEntry>& entries);

  std::vector<ShardMapEntry> entries() const;
  // The shards that intersect `range`, in key order.
  std::vector<ShardMapEntry> intersecting(const KeyRange& range) const;
  const ShardTeams& teams_of(std::string_view key) const;
  size_t shard_count() const { return shards_.size(); }

  // Whether `mutation` writes the map's keys.
  static bool touches(const Mutation& mutation);
  // Throws client_invalid_operation, naming what is wrong, unless `mutation` (which touches
  // the map) is one the map can apply: a set of a decodable value at a shard boundary, or
  // a clear that removes boundaries other than the first.
  static void check(const Mutation& mutation);
  // Applies a checked mutation and returns what it changes for each server.
  std::vector<ShardChange> apply(const Mutation& mutation);

 private:
  // Shards by their first key; each ends where the next begins, the last at \xff\xff.
  std::map<Key, ShardTeams, std::less<>> shards_;
};

// Where the map (\xff/keyServers/, as `map`) and the servers' own rows (`server_keys_rows`,
// every row of \xff/serverKeys/) disagree, given the servers \xff/serverList/ lists: every
// member of a shard's teams must be listed and have its rows say it holds the shard, and
// every range a server's rows say it holds must be a shard naming it; rows of servers not
// listed must be gone. One sentence per disagreement; none when they agree.
std::vector<std::string> shard_map_disagreements(const std::vector<ShardMapEntry>& map,
                                                 const std::vector<KeyValue>& server_keys_rows,
                                                 const std::vector<UID>& listed);

// The \xff/keyServers/, \xff/serverKeys/ and \xff/serverList/ rows that describe `map` and
// `servers` (a new database's), in key order.
std::vector<KeyValue> shard_map_rows(const std::vector<ShardMapEntry>& map,
                                     const std::vector<StorageServerRecord>& servers);

// A commit proxy's message to one storage server about a ShardChange, in the server's own
// tagged stream at the change's version: key private_shard_prefix + range.begin.
inline const std::string private_shard_prefix = special_keys_begin + "/private/shard/";

struct ShardAssignment {
  Key end;
  bool owned = false;
  std::vector<UID> sources;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(end, owned, sources);
  }
};

Mutation shard_change_mutation(const ShardChange& change);
bool is_private_shard_mutation(const Mutation& mutation);
// Throws serialization_failed for a malformed one.
ShardChange decode_shard_change(const Mutation& mutation, const UID& server);

}  // namespace strata
