#pragma once

// Moving a range of keys to another team of storage servers, FoundationDB's way, through
// transactions on the shard map (interfaces/shard_map.h):
//
// 1. start: the range's shards get `dest` as their destination team. From that version
//    on every mutation of the range also goes to dest, and each dest server fetches what
//    came before from the source team.
// 2. wait until every dest server serves the whole range.
// 3. finish: dest becomes the range's only team (one shard); the sources drop the range.
//
// Every transaction checks the move lock: a mover that took it (take_move_keys_lock) fails
// with movekeys_conflict once another one takes it, so two movers never interleave. A
// move whose destination another move replaced also fails with movekeys_conflict; one
// interrupted between its steps leaves the range readable on its source team (dest keeps
// receiving mutations until a later move of the range replaces it).

#include <vector>

#include "interfaces/shard_map.h"
#include "runtime/future.h"
#include "strata/database.h"

namespace strata {

// Sets what a transaction of data distribution needs: access to the system keys (to change
// them too, with `writes`), and FoundationDB's system-immediate priority: moving data is how
// an overloaded cluster gets better, so the ratekeeper never holds it back.
void set_data_distribution_options(Transaction& tr, bool writes);

// Makes `owner` the one mover.
Future<Void> take_move_keys_lock(Database database, UID owner);

// The storage servers the database lists, by id order.
Future<std::vector<StorageServerRecord>> read_server_list(Database database);

// The shard map's entries that intersect `range`, at one read version.
Future<std::vector<ShardMapEntry>> read_shard_map(Database database, KeyRange range);

// Moves `range` to `dest` (distinct servers of the database) as `owner`, and returns when
// dest alone holds it. Waits at most `readable_timeout_s` for dest to fetch the range
// (then fails with timed_out, the move started but not finished).
Future<Void> move_keys(Database database, KeyRange range, std::vector<UID> dest, UID owner,
                       double readable_timeout_s);

// Cuts shard `shard` at `points` (inside it, in order), as `owner`: its pieces keep its
// team, so nothing moves. Fails with movekeys_conflict when the lock was taken or `shard`
// is no longer one shard that is not moving.
Future<Void> split_shard(Database database, KeyRange shard, std::vector<Key> points, UID owner);

// Joins the adjacent shards `first` and `second` into one, as `owner`. Fails with
// movekeys_conflict when the lock was taken or they are no longer two shards of one team
// that are not moving.
Future<Void> merge_shards(Database database, KeyRange first, KeyRange second, UID owner);

}  // namespace strata
