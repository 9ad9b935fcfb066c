#pragma once

// What the data distributor does about the sizes of shards, decided from estimates of
// their bytes (the storage servers' byte samples), one step at a time:
//
// - split a shard bigger than `shard_max_bytes` at the points its server proposed;
// - split a shard written faster than `shard_max_write_bytes_per_s` at the points that
//   share its writes out (one hot shard must not pin one team's write bandwidth);
// - merge two neighbours of one team that are together under `shard_merge_bytes` and half
//   `shard_max_bytes`, and written together at under half `shard_max_write_bytes_per_s` (so
//   the result is never split again; never across the start of the system keys, which keep
//   a shard of their own);
// - move a shard from the server holding the most bytes to the one holding the fewest,
//   when they differ by more than `balance_bytes`: the shard whose size is closest to half
//   the difference, so that every move narrows it. What servers hold is counted as it will
//   be once the moves under way are done (a moving shard for its new team), so that
//   several balancing moves may run at once without overshooting.
//
// A pure function of what it is given, so that it is tested on its own.

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/shard_map.h"

namespace strata {

struct ShardSize {
  ShardMapEntry entry;
  int64_t bytes = 0;
  // Where to cut the shard into pieces of about half `shard_max_bytes` (when it is over).
  std::vector<Key> split_points;
  // Bytes a second written to it lately, and where to cut it into pieces written at about
  // half `shard_max_write_bytes_per_s`.
  double write_bytes_per_s = 0;
  std::vector<Key> write_split_points;
};

struct SizeLimits {
  int64_t shard_max_bytes = 0;
  int64_t shard_merge_bytes = 0;
  int64_t balance_bytes = 0;
  double shard_max_write_bytes_per_s = 0;
};

struct SizeStep {
  enum class Kind { none, split, merge, move };
  Kind kind = Kind::none;
  // split: the shard and its points; merge: the first shard and `second`; move: the shard
  // and its new team.
  KeyRange range;
  std::vector<Key> points;
  KeyRange second;
  std::vector<UID> team;
  std::string reason;
};

// The next step for `shards` (the whole map in key order, sizes estimated; shards that
// move are left alone) held by `servers` (the servers that may hold shards, each with its
// zone). Shards may only move to servers of `servers`, keeping their team in distinct
// zones.
SizeStep plan_size_step(const std::vector<ShardSize>& shards,
                        const std::vector<StorageServerRecord>& servers, const SizeLimits& limits);

}  // namespace strata
