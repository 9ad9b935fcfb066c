#pragma once

// A storage server's range clears newer than its durable version, in version order, indexed
// so that the questions reads ask do not cost a scan of every clear in the window. A
// workload that clears ranges in most of its transactions (a high-contention allocator
// clears a window of keys each time it moves on) leaves thousands of them in the window,
// and each read asks about them.
//
// The clears are kept in blocks of consecutive clears; each block also holds the union of
// its ranges, sorted and disjoint, so that a block none of whose clears covers a key is
// passed over with one binary search.
//
// Nothing here suspends. Not thread-safe.

#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "interfaces/types.h"

namespace strata {

class RangeClears {
 public:
  // Adds a clear at `version`, not below the newest one held.
  void push_back(Version version, KeyRange range);
  // Forgets the clears at or before `version` (the engine holds them now).
  void forget_up_to(Version version);
  // Forgets the clears after `version` (a rollback).
  void rollback_after(Version version);

  // The version of the newest clear in (after, upto] whose range holds `key`.
  std::optional<Version> newest_covering(std::string_view key, Version after, Version upto) const;
  // What the clears at or before `upto` cover of `range`: sorted, disjoint ranges (they may
  // reach outside `range`).
  std::vector<KeyRange> covering(const KeyRange& range, Version upto) const;

  bool empty() const { return blocks_.empty(); }

 private:
  struct Clear {
    Version version;
    KeyRange range;
  };
  struct Block {
    std::vector<Clear> clears;  // oldest first, never empty
    std::vector<KeyRange> merged;
  };
  static constexpr size_t block_clears = 32;

  static void merge_block(Block& block);

  std::deque<Block> blocks_;
};

// Sorts `ranges` and merges those that overlap or touch: the same keys, as disjoint ranges.
void merge_ranges(std::vector<KeyRange>& ranges);
// Whether sorted, disjoint `ranges` hold `key`.
bool ranges_contain(const std::vector<KeyRange>& ranges, std::string_view key);

}  // namespace strata
