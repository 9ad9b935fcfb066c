#include "server/resolver/conflict_set.h"

#include <iterator>
#include <limits>
#include <set>

#include "runtime/assert.h"

namespace strata {

std::string_view ConflictSet::BatchBoundaries::key(size_t index) const {
  STRATA_ASSERT(index < key_ends.size());
  size_t begin = index == 0 ? 0 : key_ends[index - 1];
  return std::string_view(keys).substr(begin, key_ends[index] - begin);
}

void ConflictSet::BatchBoundaries::add(std::string_view key) {
  keys.append(key);
  // Offsets are 32 bits to keep the index small; a batch is far below 4 GiB of keys.
  STRATA_ASSERT(keys.size() <= std::numeric_limits<uint32_t>::max());
  key_ends.push_back(static_cast<uint32_t>(keys.size()));
}

ConflictSet::ConflictSet(Version oldest_version) : oldest_version_(oldest_version) {
  STRATA_ASSERT(oldest_version > forgotten_version);
  insert_step(steps_.end(), Key(), forgotten_version);
}

std::vector<ResolveOutcome> ConflictSet::resolve(
    const std::vector<ConflictTransaction>& batch, Version version,
    std::vector<std::pair<uint32_t, std::vector<KeyRange>>>* conflicting) {
  STRATA_ASSERT_MSG(version > newest_version_, "batches must be resolved in version order");
  STRATA_ASSERT_MSG(version >= oldest_version_, "a batch cannot commit below the window");
  newest_version_ = version;

  std::vector<ResolveOutcome> outcomes;
  outcomes.reserve(batch.size());
  BatchBoundaries boundaries;
  boundaries.version = version;
  for (const ConflictTransaction& transaction : batch) {
    // A snapshot at or above the commit version would hide this batch's own earlier
    // writes from the check below.
    STRATA_ASSERT_MSG(transaction.read_snapshot < version,
                      "a transaction must read below its commit version");
    if (transaction_too_old(transaction)) {
      outcomes.push_back(ResolveOutcome::too_old);
    } else if (reads_conflict(transaction)) {
      if (conflicting && transaction.report_conflicts) {
        std::vector<KeyRange> ranges;
        for (const KeyRange& range : transaction.read_ranges) {
          if (!range.empty() && written_after(range, transaction.read_snapshot))
            ranges.push_back(range);
        }
        conflicting->emplace_back(static_cast<uint32_t>(outcomes.size()), std::move(ranges));
      }
      outcomes.push_back(ResolveOutcome::conflict);
    } else {
      outcomes.push_back(ResolveOutcome::committed);
      // Recorded at once: `version` is above every snapshot in the batch, so the later
      // transactions of the batch conflict with these writes through the same check.
      for (const KeyRange& range : transaction.write_ranges) {
        if (!range.empty()) record_write(range, version, boundaries);
      }
    }
  }
  if (boundaries.size() > 0) {
    boundary_bytes_ += boundaries.keys.capacity() + boundaries.key_ends.capacity() * 4;
    boundaries_.push_back(std::move(boundaries));
  }
  return outcomes;
}

void ConflictSet::set_oldest_version(Version oldest) {
  if (oldest <= oldest_version_) return;
  oldest_version_ = oldest;
  while (!boundaries_.empty() && boundaries_.front().version < oldest) {
    const BatchBoundaries& forgotten_batch = boundaries_.front();
    // A write's two boundaries are recorded one after the other and are usually adjacent
    // steps, so the step found for one saves the search for the next.
    auto near = steps_.end();
    for (size_t index = 0; index < forgotten_batch.size(); ++index) {
      near = forget_step(forgotten_batch.key(index), near);
    }
    boundary_bytes_ -= forgotten_batch.keys.capacity() + forgotten_batch.key_ends.capacity() * 4;
    boundaries_.pop_front();
  }
}

bool ConflictSet::transaction_too_old(const ConflictTransaction& transaction) const {
  return !transaction.read_ranges.empty() && transaction.read_snapshot < oldest_version_;
}

bool ConflictSet::reads_conflict(const ConflictTransaction& transaction) const {
  for (const KeyRange& range : transaction.read_ranges) {
    if (!range.empty() && written_after(range, transaction.read_snapshot)) return true;
  }
  return false;
}

bool ConflictSet::written_after(const KeyRange& range, Version snapshot) const {
  STRATA_ASSERT(!range.empty());
  // The step holding range.begin starts at or before it; the empty key guarantees one.
  // A single key is often a step of its own (it was written lately): try the hash index.
  auto step = std::prev(range.single_key() ? steps_.upper_bound(range.begin)
                                           : steps_.tree_upper_bound(range.begin));
  for (; step != steps_.end() && step->first < range.end; ++step) {
    if (step->second > snapshot) return true;
  }
  return false;
}

void ConflictSet::record_write(const KeyRange& range, Version version,
                               BatchBoundaries& boundaries) {
  STRATA_ASSERT(!range.empty());
  STRATA_ASSERT(version >= oldest_version_);

  // One search finds the first step at or after range.begin; the steps the write covers
  // are walked, and they are erased below anyway.
  auto step =
      range.single_key() ? steps_.lower_bound(range.begin) : steps_.tree_lower_bound(range.begin);
  auto end_step = step;
  while (end_step != steps_.end() && end_step->first < range.end) {
    ++end_step;
  }
  bool covers_no_boundary = step == end_step;

  // The boundary at range.end is settled first, so that keys from there on keep the version
  // they had. It is needed only if that version differs from the one being written. The
  // empty key's step is below range.end, so end_step has a predecessor.
  bool end_recorded = false;
  if (end_step == steps_.end() || end_step->first != range.end) {
    Version end_version = normalized(std::prev(end_step)->second);
    if (end_version != version) {
      end_step = insert_step(end_step, range.end, end_version);
      if (end_version == forgotten_version) {
        // The step after may be forgotten too (the step this one was split from held an
        // old version, not forgotten_version); merge it.
        auto next = std::next(end_step);
        if (next != steps_.end() && next->second == forgotten_version) erase_step(next);
      } else {
        end_recorded = true;
      }
    }
  } else if (end_step->second == version) {
    end_step = erase_step(end_step);
  }
  // `step` was end_step, which may have just been inserted in front of or erased.
  if (covers_no_boundary) step = end_step;

  // Then one step at range.begin replaces every step in [begin, end), unless the step
  // before already holds `version` (an adjacent write of the same batch) and extends.
  bool extends_previous = step != steps_.begin() && std::prev(step)->second == version;
  if (step != end_step && step->first == range.begin && !extends_previous) {
    step->second = version;
    boundaries.add(range.begin);
    ++step;
  } else if (!extends_previous) {
    // Inserted in front of `step`, so the erasing below starts after it.
    insert_step(step, range.begin, version);
    boundaries.add(range.begin);
  }
  while (step != end_step) {
    step = erase_step(step);
  }
  // Recorded after the beginning so that forgetting the batch finds it next to it.
  if (end_recorded) boundaries.add(range.end);
}

ConflictSet::Steps::iterator ConflictSet::forget_step(std::string_view key, Steps::iterator near) {
  Steps::iterator step;
  if (near != steps_.end() && near->first < key) {
    auto next = std::next(near);
    // Nothing between `near` and the step after it: the key has no step any more.
    if (next == steps_.end() || key < next->first) return near;
    step = next->first == key ? next : steps_.find(key);
  } else {
    step = steps_.find(key);
  }
  // Gone (merged or overwritten by a wider write), or written again by a batch still in
  // the window, which recorded the key again.
  if (step == steps_.end()) return step;
  if (step->second >= oldest_version_) return step;
  step->second = forgotten_version;
  auto survivor = step;
  if (step != steps_.begin() && std::prev(step)->second == forgotten_version) {
    survivor = std::prev(step);
    erase_step(step);
  }
  auto next = std::next(survivor);
  if (next != steps_.end() && next->second == forgotten_version) erase_step(next);
  return survivor;
}

ConflictSet::Steps::iterator ConflictSet::insert_step(Steps::iterator hint, std::string_view key,
                                                      Version version) {
  size_t size_before = steps_.size();
  auto step = steps_.emplace_hint(hint, Key(key), version);
  STRATA_ASSERT(steps_.size() == size_before + 1);
  step_key_bytes_ += heap_key_bytes(key);
  return step;
}

ConflictSet::Steps::iterator ConflictSet::erase_step(Steps::iterator step) {
  // The empty key's step covers the start of the keyspace and is never removed.
  STRATA_ASSERT(step != steps_.begin());
  step_key_bytes_ -= heap_key_bytes(step->first);
  return steps_.erase(step);
}

size_t ConflictSet::heap_key_bytes(std::string_view key) {
  // Short keys live inside the string object itself.
  static const size_t inline_capacity = Key().capacity();
  return key.size() > inline_capacity ? key.size() + 1 : 0;
}

size_t ConflictSet::memory_bytes() const {
  constexpr size_t step_node_bytes = sizeof(Steps::value_type) + Steps::entry_overhead_bytes;
  return sizeof(*this) + steps_.size() * step_node_bytes + step_key_bytes_ +
         boundaries_.size() * sizeof(BatchBoundaries) + boundary_bytes_;
}

std::string ConflictSet::check_invariants() const {
  if (steps_.empty() || !steps_.begin()->first.empty()) return "no step for the empty key";
  std::set<std::string_view> recorded_keys;
  Version previous_batch_version = std::numeric_limits<Version>::min();
  for (const BatchBoundaries& batch : boundaries_) {
    if (batch.version < oldest_version_) return "a batch below the window is still indexed";
    if (batch.version > newest_version_) return "a batch above the newest version";
    if (batch.version <= previous_batch_version) return "indexed batches out of version order";
    previous_batch_version = batch.version;
    for (size_t index = 0; index < batch.size(); ++index) {
      recorded_keys.insert(batch.key(index));
    }
  }
  size_t key_bytes = 0;
  for (auto step = steps_.begin(); step != steps_.end(); ++step) {
    key_bytes += heap_key_bytes(step->first);
    if (step->second > newest_version_) return "a step above the newest version";
    // Otherwise forgetting the batches would never revisit it and memory would grow.
    if (step->second != forgotten_version && !recorded_keys.contains(step->first)) {
      return "a remembered step is not indexed by any batch in the window";
    }
    auto next = std::next(step);
    if (next != steps_.end() && step->second == next->second) {
      return "adjacent steps hold the same version";
    }
  }
  if (key_bytes != step_key_bytes_) return "key bytes miscounted";
  return "";
}

}  // namespace strata
