#include "server/storage/versioned_data.h"

#include <algorithm>

#include "runtime/assert.h"

namespace strata {

namespace {

int64_t mutation_bytes(const Mutation& mutation) {
  return static_cast<int64_t>(mutation.param1.size() + mutation.param2.size());
}

bool is_single_key_clear(const Mutation& mutation) {
  return is_single_key_range(mutation.param1, mutation.param2);
}

}  // namespace

bool VersionedData::RangeView::engine_row_cleared(std::string_view key) const {
  return ranges_contain(clears, key);
}

void VersionedData::RangeView::keep() {
  for (Entry& entry : keys) {
    entry.key = kept_.emplace_back(entry.key);
    if (entry.present) entry.value = kept_.emplace_back(entry.value);
  }
}

void VersionedData::apply(Version version, const Mutation& mutation) {
  STRATA_ASSERT_MSG(version >= latest_version_ && version > durable_version_,
                    "mutations applied out of version order");
  latest_version_ = version;
  if (log_.empty() || log_.back().first != version)
    log_.emplace_back(version, std::vector<Mutation>());
  log_.back().second.push_back(mutation);
  bytes_ += mutation_bytes(mutation);
  switch (mutation.type) {
    case MutationType::set_value:
      keys_.try_emplace(mutation.param1).first->second.push_back({version, mutation.param2});
      break;
    case MutationType::clear_range:
      if (mutation.param1 >= mutation.param2) break;
      if (is_single_key_clear(mutation)) {
        keys_.try_emplace(mutation.param1).first->second.push_back({version, std::nullopt});
      } else {
        clears_.push_back(version, KeyRange{mutation.param1, mutation.param2});
      }
      break;
    default:
      STRATA_UNREACHABLE(
          "storage servers apply only sets and clears; atomic operations are resolved first");
  }
}

VersionedData::StateView VersionedData::state_view_of(const std::string& key,
                                                      const std::vector<Change>& changes,
                                                      Version version) const {
  // The newest change at or before `version`.
  auto newer = std::upper_bound(changes.begin(), changes.end(), version,
                                [](Version v, const Change& change) { return v < change.version; });
  const Change* latest = newer == changes.begin() ? nullptr : &*std::prev(newer);
  Version since = latest ? latest->version : durable_version_;
  if (clears_.newest_covering(key, since, version)) return StateView{KeyState::Kind::absent, {}};
  if (!latest) return StateView{};
  if (!latest->value) return StateView{KeyState::Kind::absent, {}};
  return StateView{KeyState::Kind::present, *latest->value};
}

VersionedData::KeyState VersionedData::state_of(const std::string& key,
                                                const std::vector<Change>& changes,
                                                Version version) const {
  StateView state = state_view_of(key, changes, version);
  return KeyState{state.kind, Value(state.value)};
}

VersionedData::KeyState VersionedData::get(std::string_view key, Version version) const {
  auto found = keys_.find(key);
  if (found != keys_.end()) return state_of(found->first, found->second, version);
  if (clears_.newest_covering(key, durable_version_, version)) {
    return KeyState{KeyState::Kind::absent, {}};
  }
  return KeyState{};
}

VersionedData::RangeView VersionedData::view(const KeyRange& range, Version version,
                                             size_t keys_max, size_t present_max, bool reverse,
                                             std::optional<Key>* truncated_at) const {
  RangeView view;
  truncated_at->reset();
  size_t present = 0;
  auto consider = [&](const std::pair<const Key, std::vector<Change>>& entry) {
    if (view.keys.size() >= keys_max || present >= present_max) {
      *truncated_at = entry.first;
      return false;
    }
    StateView state = state_view_of(entry.first, entry.second, version);
    if (state.kind != KeyState::Kind::unknown) {
      const bool is_present = state.kind == KeyState::Kind::present;
      present += is_present ? 1 : 0;
      view.keys.push_back(RangeView::Entry{entry.first, is_present, state.value});
    }
    return true;
  };
  auto first = keys_.lower_bound(range.begin);
  auto last = keys_.lower_bound(range.end);
  if (!reverse) {
    for (auto it = first; it != last && consider(*it); ++it) {
    }
  } else {
    for (auto it = std::make_reverse_iterator(last);
         it != std::make_reverse_iterator(first) && consider(*it); ++it) {
    }
  }
  view.clears = clears_.covering(range, version);
  return view;
}

std::vector<std::pair<Version, std::vector<Mutation>>> VersionedData::mutations_between(
    Version after, Version upto) const {
  std::vector<std::pair<Version, std::vector<Mutation>>> out;
  for (const auto& entry : log_) {
    if (entry.first > upto) break;
    if (entry.first > after) out.push_back(entry);
  }
  return out;
}

void VersionedData::forget_up_to(Version version) {
  if (version <= durable_version_) return;
  durable_version_ = version;
  // Only keys that the forgotten versions changed have changes to drop (every change is
  // in the log), so this costs what those versions wrote, not the size of the window.
  while (!log_.empty() && log_.front().first <= version) {
    for (const Mutation& mutation : log_.front().second) {
      bytes_ -= mutation_bytes(mutation);
      bool changed_a_key = mutation.type == MutationType::set_value ||
                           (mutation.type == MutationType::clear_range &&
                            mutation.param1 < mutation.param2 && is_single_key_clear(mutation));
      if (changed_a_key) forget_changes_of(mutation.param1, version);
    }
    log_.pop_front();
  }
  clears_.forget_up_to(version);
}

void VersionedData::forget_changes_of(const Key& key, Version version) {
  auto found = keys_.find(key);
  if (found == keys_.end()) return;
  std::vector<Change>& changes = found->second;
  auto keep = std::upper_bound(changes.begin(), changes.end(), version,
                               [](Version v, const Change& change) { return v < change.version; });
  changes.erase(changes.begin(), keep);
  if (changes.empty()) keys_.erase(found);
}

void VersionedData::rollback_after(Version version) {
  STRATA_ASSERT_MSG(version >= durable_version_, "rolling back below what the engine holds");
  while (!log_.empty() && log_.back().first > version) {
    for (const Mutation& mutation : log_.back().second)
      bytes_ -= mutation_bytes(mutation);
    log_.pop_back();
  }
  clears_.rollback_after(version);
  for (auto it = keys_.begin(); it != keys_.end();) {
    std::vector<Change>& changes = it->second;
    while (!changes.empty() && changes.back().version > version)
      changes.pop_back();
    it = changes.empty() ? keys_.erase(it) : std::next(it);
  }
  latest_version_ = std::min(latest_version_, version);
}

}  // namespace strata
