#pragma once

// What a storage server holds of the key space: ranges it serves (from a version on) and
// ranges it was assigned and is still fetching from their previous holders. A pure data
// structure: the storage server records it in its engine with each version that changes it.

#include <map>
#include <optional>
#include <vector>

#include "interfaces/types.h"
#include "runtime/uid.h"

namespace strata {

struct OwnedRange {
  KeyRange range;
  // Readable: it serves reads at versions >= since. Fetching: assigned at version `since`,
  // to be read from `sources` (the servers that held it then).
  bool fetching = false;
  Version since = 0;
  std::vector<UID> sources;

  friend bool operator==(const OwnedRange&, const OwnedRange&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(range, fetching, since, sources);
  }
};

class OwnedRanges {
 public:
  OwnedRanges() = default;
  explicit OwnedRanges(const std::vector<OwnedRange>& ranges);

  std::vector<OwnedRange> all() const;
  // The range holding `key`, if any.
  const OwnedRange* find(std::string_view key) const;
  // What the server holds of all of `range`, when it holds all of it: one range, or
  // adjacent ones taken together (fetching if any is, readable from the latest `since`);
  // a map merge may make one shard of ranges that came to the server apart. nullopt when
  // some of `range` is not held.
  std::optional<OwnedRange> covering(const KeyRange& range) const;
  // The parts of `range` held, in key order.
  std::vector<OwnedRange> intersecting(const KeyRange& range) const;

  // Assigns the parts of `range` not held yet, fetching since `version` from `sources`;
  // returns those parts.
  std::vector<KeyRange> assign(const KeyRange& range, Version version,
                               const std::vector<UID>& sources);
  // Stops holding `range`; returns the fetching ranges it cut into (what is left of them
  // must be fetched again).
  std::vector<KeyRange> remove(const KeyRange& range);
  // A fetched range becomes readable from `version` on.
  void finish_fetch(const KeyRange& range, Version version);

 private:
  // Splits the range holding `key` there, so that a range begins at `key`.
  void split_at(const Key& key);
  // Joins readable neighbours (readable from the later of their versions).
  void join_readable();

  std::map<Key, OwnedRange, std::less<>> ranges_;
};

}  // namespace strata
