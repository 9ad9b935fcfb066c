#include "server/storage/range_clears.h"

#include <algorithm>

#include "runtime/assert.h"

namespace strata {

void merge_ranges(std::vector<KeyRange>& ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const KeyRange& a, const KeyRange& b) { return a.begin < b.begin; });
  size_t kept = 0;
  for (KeyRange& range : ranges) {
    if (range.begin >= range.end) continue;
    if (kept > 0 && range.begin <= ranges[kept - 1].end) {
      if (range.end > ranges[kept - 1].end) ranges[kept - 1].end = std::move(range.end);
      continue;
    }
    if (&ranges[kept] != &range) ranges[kept] = std::move(range);
    ++kept;
  }
  ranges.resize(kept);
}

bool ranges_contain(const std::vector<KeyRange>& ranges, std::string_view key) {
  // The last range that begins at or before the key.
  auto after = std::upper_bound(ranges.begin(), ranges.end(), key,
                                [](std::string_view k, const KeyRange& r) { return k < r.begin; });
  return after != ranges.begin() && key < std::prev(after)->end;
}

void RangeClears::merge_block(Block& block) {
  block.merged.clear();
  for (const Clear& clear : block.clears)
    block.merged.push_back(clear.range);
  merge_ranges(block.merged);
}

void RangeClears::push_back(Version version, KeyRange range) {
  STRATA_ASSERT_MSG(blocks_.empty() || blocks_.back().clears.back().version <= version,
                    "range clears added out of version order");
  if (blocks_.empty() || blocks_.back().clears.size() == block_clears) blocks_.emplace_back();
  Block& block = blocks_.back();
  block.clears.push_back({version, std::move(range)});
  merge_block(block);
}

void RangeClears::forget_up_to(Version version) {
  while (!blocks_.empty() && blocks_.front().clears.back().version <= version)
    blocks_.pop_front();
  if (blocks_.empty()) return;
  Block& first = blocks_.front();
  auto keep = std::upper_bound(first.clears.begin(), first.clears.end(), version,
                               [](Version v, const Clear& clear) { return v < clear.version; });
  if (keep == first.clears.begin()) return;
  first.clears.erase(first.clears.begin(), keep);
  merge_block(first);
}

void RangeClears::rollback_after(Version version) {
  while (!blocks_.empty() && blocks_.back().clears.front().version > version)
    blocks_.pop_back();
  if (blocks_.empty()) return;
  Block& last = blocks_.back();
  auto drop = std::upper_bound(last.clears.begin(), last.clears.end(), version,
                               [](Version v, const Clear& clear) { return v < clear.version; });
  if (drop == last.clears.end()) return;
  last.clears.erase(drop, last.clears.end());
  merge_block(last);
}

std::optional<Version> RangeClears::newest_covering(std::string_view key, Version after,
                                                    Version upto) const {
  for (auto block = blocks_.rbegin(); block != blocks_.rend(); ++block) {
    const std::vector<Clear>& clears = block->clears;
    if (clears.front().version > upto) continue;
    if (clears.back().version <= after) break;
    // The union says no clear of the block holds the key, whatever their versions.
    if (!ranges_contain(block->merged, key)) continue;
    for (auto clear = clears.rbegin(); clear != clears.rend(); ++clear) {
      if (clear->version > upto) continue;
      if (clear->version <= after) return std::nullopt;
      if (clear->range.contains(key)) return clear->version;
    }
  }
  return std::nullopt;
}

std::vector<KeyRange> RangeClears::covering(const KeyRange& range, Version upto) const {
  std::vector<KeyRange> out;
  for (const Block& block : blocks_) {
    if (block.clears.front().version > upto) break;
    if (block.clears.back().version <= upto) {
      for (const KeyRange& merged : block.merged) {
        if (merged.intersects(range)) out.push_back(merged);
      }
      continue;
    }
    for (const Clear& clear : block.clears) {
      if (clear.version > upto) break;
      if (clear.range.intersects(range)) out.push_back(clear.range);
    }
  }
  merge_ranges(out);
  return out;
}

}  // namespace strata
