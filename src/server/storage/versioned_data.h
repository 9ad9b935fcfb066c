#pragma once

// A storage server's in-memory versions: every mutation applied after the durable version,
// kept so that reads at any version in the MVCC window see exactly that version's data.
// Below it lies the storage engine, which holds the data as of the durable version.
//
// For a key and a version, the answer is the key's latest set or point clear at or before
// that version, unless a range clear newer than it (and not newer than the version)
// covers the key; with neither, the engine's value stands (the key did not change since
// the durable version).
//
// Nothing here suspends. Not thread-safe.

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/types.h"
#include "server/ordered_key_map.h"
#include "server/storage/range_clears.h"

namespace strata {

class VersionedData {
 public:
  // What the in-memory versions say about a key at a version.
  struct KeyState {
    enum class Kind { unknown, present, absent };
    Kind kind = Kind::unknown;
    Value value;
  };

  // The state of a range at a version, taken before reading the engine so that the merge
  // does not depend on what changes in memory meanwhile. It points into the window, so
  // it is good only until the window next changes (the storage server's next apply or
  // forget), unless keep() has made it a copy.
  struct RangeView {
    struct Entry {
      std::string_view key;
      bool present = false;    // false: absent at the view's version
      std::string_view value;  // when present
    };
    // Keys of the range changed in memory, with their state at the version (never
    // unknown), in key order.
    std::vector<Entry> keys;
    // What range clears newer than the durable version and not newer than the view's
    // version cover of the range (sorted, disjoint): engine rows there are gone (unless
    // `keys` says otherwise).
    std::vector<KeyRange> clears;

    bool engine_row_cleared(std::string_view key) const;
    // Copies the keys and values the view points at, so that it outlives changes to the
    // window (before a read that may suspend).
    void keep();

   private:
    std::deque<std::string> kept_;
  };

  explicit VersionedData(Version durable_version = 0) : durable_version_(durable_version) {}

  // Applies a set_value or clear_range at `version` (not below the last one applied).
  void apply(Version version, const Mutation& mutation);

  KeyState get(std::string_view key, Version version) const;
  // The view of [range.begin, range.end) at `version`, at most `keys_max` changed keys
  // (and `present_max` of them present) from the range's start (reverse: from its end);
  // `truncated_at` is set to where it stopped when there were more.
  RangeView view(const KeyRange& range, Version version, size_t keys_max, size_t present_max,
                 bool reverse, std::optional<Key>* truncated_at) const;

  // The mutations of versions in (after, upto], in version order: what the engine must
  // apply to move from durable version `after` to `upto`.
  std::vector<std::pair<Version, std::vector<Mutation>>> mutations_between(Version after,
                                                                           Version upto) const;
  // The engine now holds everything up to `version`: forget it here.
  void forget_up_to(Version version);
  // Undoes every mutation after `version` (a new generation started there).
  void rollback_after(Version version);

  Version durable_version() const { return durable_version_; }
  Version latest_version() const { return latest_version_; }
  // Bytes of keys and values held, for accounting.
  int64_t bytes() const { return bytes_; }

 private:
  struct Change {
    Version version;
    std::optional<Value> value;  // nullopt: cleared
  };
  KeyState state_of(const std::string& key, const std::vector<Change>& changes,
                    Version version) const;
  // As state_of, without copying: the value points into `changes`.
  struct StateView {
    KeyState::Kind kind = KeyState::Kind::unknown;
    std::string_view value;
  };
  StateView state_view_of(const std::string& key, const std::vector<Change>& changes,
                          Version version) const;
  // Drops the changes of `key` at or before `version`.
  void forget_changes_of(const Key& key, Version version);

  Version durable_version_;
  Version latest_version_ = 0;
  // Per key, its sets and point clears after the durable version, oldest first.
  OrderedKeyMap<std::vector<Change>> keys_;
  // Range clears after the durable version.
  RangeClears clears_;
  // Every mutation after the durable version, by version, for the engine.
  std::deque<std::pair<Version, std::vector<Mutation>>> log_;
  int64_t bytes_ = 0;
};

}  // namespace strata
