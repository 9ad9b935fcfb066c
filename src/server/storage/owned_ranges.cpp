#include "server/storage/owned_ranges.h"

#include <algorithm>

#include "runtime/assert.h"

namespace strata {

OwnedRanges::OwnedRanges(const std::vector<OwnedRange>& ranges) {
  for (const OwnedRange& owned : ranges) {
    STRATA_ASSERT_MSG(!owned.range.empty(), "a storage server holds an empty range");
    STRATA_ASSERT_MSG(intersecting(owned.range).empty(), "a storage server's ranges overlap");
    ranges_[owned.range.begin] = owned;
  }
}

std::vector<OwnedRange> OwnedRanges::all() const {
  std::vector<OwnedRange> ranges;
  for (const auto& [begin, owned] : ranges_)
    ranges.push_back(owned);
  return ranges;
}

const OwnedRange* OwnedRanges::find(std::string_view key) const {
  auto it = ranges_.upper_bound(key);
  if (it == ranges_.begin()) return nullptr;
  --it;
  return it->second.range.contains(key) ? &it->second : nullptr;
}

std::optional<OwnedRange> OwnedRanges::covering(const KeyRange& range) const {
  const OwnedRange* first = find(range.begin);
  if (first == nullptr) return std::nullopt;
  OwnedRange whole = *first;
  whole.range.begin = range.begin;
  for (auto it = ranges_.upper_bound(first->range.begin);
       whole.range.end < range.end && it != ranges_.end(); ++it) {
    const OwnedRange& next = it->second;
    if (next.range.begin != whole.range.end) break;  // a gap
    whole.range.end = next.range.end;
    whole.fetching = whole.fetching || next.fetching;
    whole.since = std::max(whole.since, next.since);
    whole.sources.insert(whole.sources.end(), next.sources.begin(), next.sources.end());
  }
  if (whole.range.end < range.end) return std::nullopt;
  whole.range.end = range.end;
  return whole;
}

std::vector<OwnedRange> OwnedRanges::intersecting(const KeyRange& range) const {
  std::vector<OwnedRange> found;
  if (range.empty()) return found;
  auto it = ranges_.upper_bound(range.begin);
  if (it != ranges_.begin()) --it;
  for (; it != ranges_.end() && it->first < range.end; ++it) {
    if (it->second.range.intersects(range)) found.push_back(it->second);
  }
  return found;
}

void OwnedRanges::split_at(const Key& key) {
  auto it = ranges_.upper_bound(key);
  if (it == ranges_.begin()) return;
  --it;
  OwnedRange& owned = it->second;
  if (owned.range.begin == key || !owned.range.contains(key)) return;
  OwnedRange right = owned;
  right.range.begin = key;
  owned.range.end = key;
  ranges_[key] = std::move(right);
}

std::vector<KeyRange> OwnedRanges::assign(const KeyRange& range, Version version,
                                          const std::vector<UID>& sources) {
  std::vector<KeyRange> added;
  Key cursor = range.begin;
  for (const OwnedRange& held : intersecting(range)) {
    if (cursor < held.range.begin) added.push_back(KeyRange{cursor, held.range.begin});
    cursor = std::max(cursor, held.range.end);
  }
  if (cursor < range.end) added.push_back(KeyRange{cursor, range.end});
  for (const KeyRange& part : added)
    ranges_[part.begin] = OwnedRange{part, true, version, sources};
  return added;
}

std::vector<KeyRange> OwnedRanges::remove(const KeyRange& range) {
  std::vector<KeyRange> cut;
  for (const OwnedRange& held : intersecting(range)) {
    if (held.fetching) cut.push_back(held.range);
  }
  split_at(range.begin);
  split_at(range.end);
  ranges_.erase(ranges_.lower_bound(range.begin), ranges_.lower_bound(range.end));
  // What is left of each cut fetch.
  std::vector<KeyRange> left;
  for (const KeyRange& fetch : cut) {
    for (const OwnedRange& rest : intersecting(fetch))
      left.push_back(rest.range);
  }
  return left;
}

void OwnedRanges::finish_fetch(const KeyRange& range, Version version) {
  auto it = ranges_.find(range.begin);
  STRATA_ASSERT_MSG(it != ranges_.end() && it->second.fetching && it->second.range == range,
                    "a fetch finished for a range that is not being fetched");
  it->second.fetching = false;
  it->second.since = version;
  it->second.sources.clear();
  join_readable();
}

void OwnedRanges::join_readable() {
  for (auto it = ranges_.begin(); it != ranges_.end();) {
    auto next = std::next(it);
    if (next != ranges_.end() && !it->second.fetching && !next->second.fetching &&
        it->second.range.end == next->second.range.begin) {
      it->second.range.end = next->second.range.end;
      it->second.since = std::max(it->second.since, next->second.since);
      ranges_.erase(next);
    } else {
      it = next;
    }
  }
}

}  // namespace strata
